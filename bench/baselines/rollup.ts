import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { readMigrations } from '../../libs/common/src/migrations';
import { repoPath } from '../../libs/common/src/repo-path';
import type { AggregationTypeName } from '../../libs/common/src/domain';
import { UsageRepository } from '../../services/aggregation/src/usage.repository';
import { UsageService } from '../../services/aggregation/src/usage.service';
import { latency, type Latency } from '../stats';
import { METRICS, type Window } from '../model';
import { rawInsert, type RawInsertContext, type RawInsertFigures } from './raw-insert';
import { usageQuery } from './raw-sql';

/** Issue 12 part 2: the hourly aggregates (services/aggregation/src/rollup/), same run, same rows. */
export interface RollupFigures {
  /** The product's UsageService in this process on the hot subscription: every event, then the hours. */
  usage: Partial<Record<AggregationTypeName, { raw: Latency; fast: Latency; same: boolean; value: string }>>;
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
 * The insert rate without the view (its rows' aggregates are rebuilt afterwards by the migration's
 * own backfill, so every later answer stays exact), then GetUsage per type through the raw path and
 * the fast path, alternating call by call so that both see the same load on a shared box.
 */
export async function rollupBaselines(
  ctx: RawInsertContext,
  window: Window,
  runs: { warmup: number; runs: number },
): Promise<RollupFigures> {
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
  const usage = await usagePaths(clickhouse, ctx.organizationId, window, runs, log);
  return { usage, insertWithoutView, insertWithViewAgain, backfillSeconds };
}

async function rebuild(clickhouse: ClickHouseClient): Promise<void> {
  const migration = readMigrations(repoPath('libs/clickhouse/migrations')).find((m) =>
    m.version.startsWith('0005_'),
  )!;
  await clickhouse.command({ query: 'TRUNCATE TABLE usage_hourly' });
  await clickhouse.command({ query: migration.statements.at(-1)! });
}

async function usagePaths(
  clickhouse: ClickHouseClient,
  organizationId: string,
  window: Window,
  runs: { warmup: number; runs: number },
  log: (line: string) => void,
): Promise<RollupFigures['usage']> {
  const repository = new UsageRepository(clickhouse);
  const raw = new UsageService(repository, undefined, { rollups: false });
  const fast = new UsageService(repository, undefined, { rollups: true });
  const figures: RollupFigures['usage'] = {};
  for (const metric of METRICS) {
    const query = usageQuery(organizationId, metric, window);
    const definition = {
      id: 'bench',
      organizationId,
      code: metric.code,
      name: metric.code,
      description: '',
      aggregationType: metric.type,
      fieldName: metric.fieldName,
      recurring: false,
      weightedInterval: null,
      roundingFunction: null,
      roundingPrecision: null,
      expression: '',
      filters: [],
      createdAt: new Date(0),
    };
    const samples = { raw: [] as number[], fast: [] as number[] };
    const answers = { raw: '', fast: '' };
    for (let i = 0; i < runs.warmup + runs.runs; i++) {
      for (const [name, service] of [
        ['raw', raw],
        ['fast', fast],
      ] as const) {
        const t0 = performance.now();
        const answer = await service.usage(definition, query);
        if (i >= runs.warmup) samples[name].push(performance.now() - t0);
        answers[name] = JSON.stringify(answer);
      }
    }
    const f = {
      raw: latency(samples.raw),
      fast: latency(samples.fast),
      same: answers.raw === answers.fast,
      value: (JSON.parse(answers.fast) as { value: string }).value,
    };
    figures[metric.type] = f;
    log(
      `  usage ${metric.type}: raw path p50 ${f.raw.p50} ms p99 ${f.raw.p99}; hourly aggregates p50 ${f.fast.p50} ms p99 ${f.fast.p99}${f.same ? '' : ' — ANSWERS DIFFER'}`,
    );
  }
  return figures;
}
