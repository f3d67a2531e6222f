import { createClickHouse, migrateClickHouse } from '../../libs/clickhouse/src/clickhouse';
import { meteringClients } from '../../libs/testing/src/clients';
import type { AggregationTypeName } from '../../libs/common/src/domain';
import type { RawInsertFigures } from '../baselines/raw-insert';
import { keyIndexLookups, type KeyIndexFigures } from '../baselines/key-index';
import { rawSql, type RawSqlFigures } from '../baselines/raw-sql';
import { insertBaselines, type RollupFigures } from '../baselines/rollup';
import type { Cleanup } from '../cleanup';
import type { BenchConfig } from '../config';
import {
  HOT_SUBSCRIPTION,
  idleMetrics,
  METRICS,
  SCALE_METRIC,
  scaleSubscriptionId,
  subscriptionId,
  type Window,
} from '../model';
import { scaleScenario, type ScaleFigures } from '../scale/scenario';
import { preload } from './preload';
import {
  callerOrganization,
  createMetrics,
  registerSubscriptions,
  type RegisteredSubscription,
} from './registry';
import { ServerProcess, type ServerFiles } from './server';

export interface Registered {
  apiKey: string;
  organizationId: string;
  spread: RegisteredSubscription[];
  hot: RegisteredSubscription;
  /** The scale subscriptions, in the order of config.scale.sizes. */
  scale: RegisteredSubscription[];
}

export interface StepContext {
  config: BenchConfig;
  cleanup: Cleanup;
  window: Window;
  files: ServerFiles;
  log: (line: string) => void;
}

/**
 * First start of the server: it creates the development organization and its key; the metrics and
 * subscriptions are created through the registry's API. The server is stopped again so that the
 * bench can open the embedded ClickHouse (one process at a time) for the preload.
 */
export async function registerAll(ctx: StepContext): Promise<Registered> {
  ctx.log('server: first start (development organization, metrics, subscriptions)');
  const server = await ServerProcess.start(ctx.files, ctx.cleanup);
  const clients = meteringClients(server.addresses);
  try {
    const organizationId = await callerOrganization(clients, server.apiKey);
    const scaleIds = ctx.config.scale.sizes.map(scaleSubscriptionId);
    const idle = idleMetrics(ctx.config.scale.organizationMetrics - METRICS.length - 1);
    const metrics = [...METRICS, SCALE_METRIC, ...idle];
    await createMetrics(clients, server.apiKey, metrics);
    const ids = [
      ...Array.from({ length: ctx.config.subscriptions }, (_, i) => subscriptionId(i)),
      HOT_SUBSCRIPTION,
      ...scaleIds,
    ];
    const subscriptions = await registerSubscriptions(
      clients,
      server.apiKey,
      organizationId,
      ids,
      ctx.window.from,
    );
    ctx.log(
      `registry: organization ${organizationId}, ${metrics.length} metrics, ${subscriptions.length} subscriptions`,
    );
    const spread = ctx.config.subscriptions;
    return {
      apiKey: server.apiKey,
      organizationId,
      spread: subscriptions.slice(0, spread),
      hot: subscriptions[spread],
      scale: subscriptions.slice(spread + 1),
    };
  } finally {
    clients.close();
    await server.stop();
  }
}

export interface EngineFigures {
  preloadSeconds: number;
  eventsAtLoad: number;
  eventKeysAtLoad: number;
  insert: RawInsertFigures[];
  sql: Partial<Record<AggregationTypeName, RawSqlFigures>>;
  keyIndex: KeyIndexFigures;
  rollup: RollupFigures;
  scale: ScaleFigures;
}

async function count(clickhouse: ReturnType<typeof createClickHouse>, table: string): Promise<number> {
  const rows = await (
    await clickhouse.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
  ).json<{ n: string }>();
  return Number(rows[0].n);
}

/**
 * In this process, on the server's data directory: the preload, the raw-engine baselines, then
 * issue 12's scale subscriptions, loaded last so that neither the usage_hourly rebuild nor the key
 * index's copy in the old layout has to go through their 11M rows.
 */
export async function engineWork(ctx: StepContext, registered: Registered): Promise<EngineFigures> {
  const dataDir = `${ctx.files.dataDir}/clickhouse`;
  const clickhouse = createClickHouse({ dataDir });
  let open = true;
  const close = async () => {
    if (open) await clickhouse.close();
    open = false;
  };
  ctx.cleanup.add('close the bench ClickHouse', close);
  try {
    await migrateClickHouse(clickhouse);
    const started = Date.now();
    await preload(clickhouse, { ...registered, window: ctx.window }, ctx.config, ctx.log);
    const preloadSeconds = Math.round((Date.now() - started) / 100) / 10;
    const insertContext = {
      clickhouse,
      organizationId: registered.organizationId,
      subscriptions: new Map(registered.spread.map((s) => [s.externalId, s])),
      window: ctx.window,
      config: ctx.config,
      log: ctx.log,
    };
    const { insert, rollup } = await insertBaselines(insertContext);
    ctx.log(`raw SQL: ${ctx.config.usage.warmup} warm-up + ${ctx.config.usage.runs} measured runs per type`);
    const sql = await rawSql(clickhouse, registered.organizationId, ctx.window, ctx.config.usage, ctx.log);
    const keyIndex = await keyIndexLookups(clickhouse, dataDir, registered.organizationId, ctx.log);
    const scale = await scaleScenario(clickhouse, registered, ctx.config, ctx.log);
    const [eventsAtLoad, eventKeysAtLoad] = [
      await count(clickhouse, 'events'),
      await count(clickhouse, 'event_keys'),
    ];
    return { preloadSeconds, eventsAtLoad, eventKeysAtLoad, insert, sql, keyIndex, rollup, scale };
  } finally {
    await close();
  }
}
