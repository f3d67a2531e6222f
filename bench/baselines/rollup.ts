import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { readMigrations } from '../../libs/common/src/migrations';
import { repoPath } from '../../libs/common/src/repo-path';
import { rawInsert, type RawInsertContext, type RawInsertFigures } from './raw-insert';

/**
 * Issue 12: ingest with the hourly aggregates (services/aggregation/src/rollup/) on and off, same run,
 * same rows. Usage from the aggregates against the raw path is bench/scale/ (100K to 10M events).
 */
export interface RollupFigures {
  /**
   * The raw insert again with the usage_hourly view detached, then attached once more: with the first
   * figures (`raw.insert`) the with-view runs stand either side of the one without (a shared box).
   */
  insertWithoutView: RawInsertFigures[];
  insertWithViewAgain: RawInsertFigures[];
  /** Rebuilding usage_hourly from every event afterwards (the migration's backfill). */
  backfillSeconds: number;
}

const VIEW = 'usage_hourly_writer';

/**
 * The insert rate without the view, then with it again (its rows' aggregates are rebuilt afterwards
 * by the migration's own backfill, so every later answer stays exact).
 */
export async function rollupBaselines(ctx: RawInsertContext): Promise<RollupFigures> {
  const { clickhouse, log } = ctx;
  await clickhouse.command({ query: `DETACH VIEW ${VIEW}` });
  let insertWithoutView: RawInsertFigures[];
  try {
    log('raw insert without the usage_hourly view:');
    insertWithoutView = await rawInsert({ ...ctx, tag: 'plain' });
  } finally {
    await clickhouse.command({ query: `ATTACH TABLE ${VIEW}` });
  }
  log('raw insert with the usage_hourly view, again:');
  const insertWithViewAgain = await rawInsert({ ...ctx, tag: 'again' });
  const started = Date.now();
  await rebuild(clickhouse);
  const backfillSeconds = Math.round((Date.now() - started) / 100) / 10;
  log(`usage_hourly rebuilt from every event in ${backfillSeconds} s`);
  return { insertWithoutView, insertWithViewAgain, backfillSeconds };
}

async function rebuild(clickhouse: ClickHouseClient): Promise<void> {
  const migration = readMigrations(repoPath('libs/clickhouse/migrations')).find((m) =>
    m.version.startsWith('0005_'),
  )!;
  await clickhouse.command({ query: 'TRUNCATE TABLE usage_hourly' });
  await clickhouse.command({ query: migration.statements.at(-1)! });
}
