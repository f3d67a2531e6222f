import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { readMigrations } from '../../libs/common/src/migrations';
import { repoPath } from '../../libs/common/src/repo-path';
import {
  definitionKey,
  generationId,
  type RollupDefinition,
} from '../../services/aggregation/src/rollup/dims-definition';
import {
  CREATED,
  DimsRepository,
  READY,
  REMOVED,
  type Generation,
} from '../../services/aggregation/src/rollup/dims.repository';
import { METRICS } from '../model';
import { rawInsert, type RawInsertContext, type RawInsertFigures } from './raw-insert';

/**
 * Issue 12: ingest with the aggregates on and off, same run, same rows. "On" is what the product's
 * inserts pay: the usage_hourly view, and the usage_dims view feeding one rollup definition per code
 * the rows carry (migration 0006). "Off": both views detached. Usage from the aggregates against the
 * raw path is bench/scale/ (100K to 10M events).
 */
export interface RollupFigures {
  /** The raw insert with both views detached, then attached once more: with the first figures
   * (`raw.insert`) the runs with the aggregates stand either side of the one without (a shared box). */
  insertWithoutView: RawInsertFigures[];
  insertWithViewAgain: RawInsertFigures[];
  /** The definitions the usage_dims view fed during the runs with the aggregates. */
  dimsDefinitions: { code: string; fieldName: string; dimensions: string[]; perValue: boolean }[];
  /** READY generations of those codes found after the runs (none expected), retired. */
  readyRetired: number;
  /** Rebuilding usage_hourly from every event afterwards (the migration's backfill). */
  backfillSeconds: number;
  /** Deleting the usage_dims rows of the bench's definitions afterwards (never read). */
  dimsPurgeSeconds: number;
}

const VIEWS = ['usage_hourly_writer', 'usage_dims_writer'];

/** The definition a metric of the bench's codes would have with `region` declared as a filter key. */
function benchDefinition(organizationId: string, code: string): RollupDefinition {
  const metric = METRICS.find((m) => m.code === code)!;
  const d = {
    organizationId,
    code,
    fieldName: metric.fieldName,
    dimensions: ['region'],
    perValue: metric.type === 'UNIQUE_COUNT_AGG',
  };
  return { ...d, key: definitionKey(d) };
}

/**
 * A CREATED generation per code the raw insert writes (model.ts METRICS; its rows carry `region`), with `since` now: the view aggregates every later row into it. Never marked ready,
 * so never read.
 */
async function feedDefinitions(store: DimsRepository, organizationId: string): Promise<Generation[]> {
  const generations: Generation[] = [];
  for (const { code } of METRICS) {
    const definition = benchDefinition(organizationId, code);
    const since = new Date();
    const g = { definition, generationId: generationId(definition.key, randomUUID()), since };
    await store.write(g, CREATED);
    generations.push({ ...g, version: CREATED, createdAt: since, changedAt: since });
  }
  return generations;
}

/**
 * After the runs: every generation of those codes not yet removed is REMOVED (the view stops
 * feeding them). A READY one would miss the rows inserted while the views were detached: none
 * exists (nothing activates in this process), and any found is counted and retired all the same.
 * Then the rows of the bench's generations are deleted, waiting for the mutation, so that no
 * later activation's purge runs it during a measured phase.
 */
async function stopFeeding(
  clickhouse: ClickHouseClient,
  store: DimsRepository,
  organizationId: string,
  fed: Generation[],
): Promise<{ readyRetired: number; dimsPurgeSeconds: number }> {
  let readyRetired = 0;
  for (const { code } of METRICS) {
    for (const g of await store.generations(organizationId, code)) {
      if (g.version === REMOVED) continue;
      if (g.version === READY) readyRetired += 1;
      await store.write(g, REMOVED);
    }
  }
  const started = Date.now();
  await store.purge(fed.map((g) => g.generationId));
  await mutationsDone(clickhouse, 'usage_dims');
  return { readyRetired, dimsPurgeSeconds: Math.round((Date.now() - started) / 100) / 10 };
}

async function mutationsDone(clickhouse: ClickHouseClient, table: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const result = await clickhouse.query({
      query: `SELECT count() AS n FROM system.mutations WHERE table = {table:String} AND NOT is_done`,
      query_params: { table },
      format: 'JSONEachRow',
    });
    if (Number((await result.json<{ n: string }>())[0].n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`bench: mutations of ${table} still running after 120 s`);
}

/**
 * The raw insert with the aggregates (`raw.insert`), without them (both views detached), with them
 * again; then usage_hourly is rebuilt by the migration's own backfill, so every later answer stays
 * exact, and the bench's definitions are removed.
 */
export async function insertBaselines(
  ctx: RawInsertContext,
): Promise<{ insert: RawInsertFigures[]; rollup: RollupFigures }> {
  const { clickhouse, log, organizationId } = ctx;
  const store = new DimsRepository(clickhouse);
  const fed = await feedDefinitions(store, organizationId);
  const dimsDefinitions = fed.map(({ definition: d }) => ({
    code: d.code,
    fieldName: d.fieldName,
    dimensions: d.dimensions,
    perValue: d.perValue,
  }));
  log(`raw insert with the aggregates (usage_hourly, usage_dims: ${fed.length} definitions by region):`);
  let runs: { insert: RawInsertFigures[]; without: RawInsertFigures[]; again: RawInsertFigures[] };
  let stopped: { readyRetired: number; dimsPurgeSeconds: number };
  try {
    const insert = await rawInsert(ctx);
    for (const view of VIEWS) await clickhouse.command({ query: `DETACH VIEW ${view}` });
    let without: RawInsertFigures[];
    try {
      log('raw insert without the aggregates (both views detached):');
      without = await rawInsert({ ...ctx, tag: 'plain' });
    } finally {
      for (const view of VIEWS) await clickhouse.command({ query: `ATTACH TABLE ${view}` });
    }
    log('raw insert with the aggregates, again:');
    const again = await rawInsert({ ...ctx, tag: 'again' });
    runs = { insert, without, again };
  } finally {
    stopped = await stopFeeding(clickhouse, store, organizationId, fed);
  }
  if (stopped.readyRetired > 0) log(`rollup: ${stopped.readyRetired} READY generation(s) retired`);
  log(`usage_dims rows of the bench's definitions deleted in ${stopped.dimsPurgeSeconds} s`);
  const started = Date.now();
  await rebuild(clickhouse);
  const backfillSeconds = Math.round((Date.now() - started) / 100) / 10;
  log(`usage_hourly rebuilt from every event in ${backfillSeconds} s`);
  const rollup = {
    insertWithoutView: runs.without,
    insertWithViewAgain: runs.again,
    dimsDefinitions,
    ...stopped,
    backfillSeconds,
  };
  return { insert: runs.insert, rollup };
}

async function rebuild(clickhouse: ClickHouseClient): Promise<void> {
  const migration = readMigrations(repoPath('libs/clickhouse/migrations')).find((m) =>
    m.version.startsWith('0005_'),
  )!;
  await clickhouse.command({ query: 'TRUNCATE TABLE usage_hourly' });
  await clickhouse.command({ query: migration.statements.at(-1)! });
}
