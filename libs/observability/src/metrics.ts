import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Every metric name starts with this (Prometheus naming: snake_case, unit suffix, `_total` counters). */
export const METRIC_PREFIX = 'metering_';

/** Latency buckets, in seconds: 1 ms … 10 s. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Group-commit sizes, in items. */
const SIZES = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 20_000];

/** What the RPC interceptor records: one call, its final gRPC code (name, e.g. `OK`) and duration. */
export interface RpcMetrics {
  observeRpc(service: string, method: string, code: string, durationMs: number): void;
}

/** Ingestion's outcomes: one entry per event a request carried. */
export interface IngestionMetrics {
  /** One event's outcome (`ACCEPTED`, `DUPLICATE`, `REJECTED`) and the warnings it was answered with. */
  observeEvent(outcome: string, warnings: readonly string[]): void;
  /** One group commit of `batcher`: how many items it carried, how long its first item waited, how long it ran (ms). */
  observeCommit(batcher: string, size: number, waitMs: number, runMs: number): void;
}

/** One call to a store (`clickhouse`, `postgres`); `failed` when it threw. */
export interface StoreMetrics {
  observeCall(store: string, operation: string, durationMs: number, failed: boolean): void;
}

/** A lookup in one of the registry client's caches. */
export interface CacheMetrics {
  observeLookup(cache: string, hit: boolean): void;
}

/** One usage question, by aggregation type (e.g. `SUM_AGG`): the time of the ClickHouse round trip that answered it. */
/**
 * Where a usage question (or a window asked alone, or a question's bucketed windows) was answered
 * from: `hourly` (usage_hourly, plus the raw events of hours a bound cuts), `dims` (usage_dims, the
 * metric-aware aggregates), `raw` (every selected event), `skipped` (no event could be selected:
 * GetSubscriptionUsage's pre-check; zeros without a statement).
 */
export type UsagePath = 'hourly' | 'dims' | 'raw' | 'skipped';

export interface UsageMetrics {
  observeQuery(aggregationType: string, durationMs: number): void;
  observeAnswer(path: UsagePath): void;
}

/** Activations of metric-aware aggregates (services/aggregation/src/rollup/dims-activation.ts). */
export interface RollupMetrics {
  /** `outcome`: `ready` (the generation answers questions) or `failed` (abandoned; raw path). */
  observeActivation(outcome: 'ready' | 'failed', durationMs: number): void;
}

/** For the process-level guards: an unhandled promise rejection or uncaught exception happened. */
export interface ProcessMetrics {
  /** `kind`: `rejection` (unhandledRejection) or `exception` (uncaughtException). */
  unhandledRejection(kind?: 'rejection' | 'exception'): void;
}

/** No-op implementations, for code built without metrics (unit tests of one class). */
export const NO_METRICS: IngestionMetrics &
  StoreMetrics &
  CacheMetrics &
  UsageMetrics &
  RollupMetrics &
  RpcMetrics &
  ProcessMetrics = {
  observeEvent: () => {},
  observeCommit: () => {},
  observeCall: () => {},
  observeLookup: () => {},
  observeQuery: () => {},
  observeAnswer: () => {},
  observeActivation: () => {},
  observeRpc: () => {},
  unhandledRejection: () => {},
};

/**
 * The metrics of one process, on a registry of its own (never prom-client's global one), created at
 * boot and passed to whatever records: each consumer sees only the small interface it needs.
 * Durations arrive in milliseconds and are exported in seconds.
 */
export class Metrics
  implements
    RpcMetrics,
    IngestionMetrics,
    StoreMetrics,
    CacheMetrics,
    UsageMetrics,
    RollupMetrics,
    ProcessMetrics
{
  readonly registry = new Registry();
  private readonly rpcs: Counter;
  private readonly rpcSeconds: Histogram;
  private readonly events: Counter;
  private readonly warnings: Counter;
  private readonly commitSize: Histogram;
  private readonly commitWait: Histogram;
  private readonly commitRun: Histogram;
  private readonly storeSeconds: Histogram;
  private readonly storeErrors: Counter;
  private readonly cache: Counter;
  private readonly usageSeconds: Histogram;
  private readonly usagePaths: Counter;
  private readonly activations: Histogram;
  private readonly unhandled: Counter;

  /** `defaultMetrics`: the process metrics (CPU, memory, event loop lag, GC, handles), prefixed. */
  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    this.rpcs = new Counter({
      name: `${p}rpc_requests_total`,
      help: 'gRPC calls handled, by service, method and final status code',
      labelNames: ['service', 'method', 'code'],
      registers,
    });
    this.rpcSeconds = new Histogram({
      name: `${p}rpc_duration_seconds`,
      help: 'gRPC call duration, by service, method and final status code',
      labelNames: ['service', 'method', 'code'],
      buckets: SECONDS,
      registers,
    });
    this.events = new Counter({
      name: `${p}events_total`,
      help: 'Events received by ingestion, by outcome (ACCEPTED, DUPLICATE, REJECTED)',
      labelNames: ['outcome'],
      registers,
    });
    this.warnings = new Counter({
      name: `${p}event_warnings_total`,
      help: 'Warnings given with ingested events, by warning',
      labelNames: ['warning'],
      registers,
    });
    this.commitSize = new Histogram({
      name: `${p}group_commit_items`,
      help: 'Items carried by one group commit (micro-batcher run), by batcher',
      labelNames: ['batcher'],
      buckets: SIZES,
      registers,
    });
    this.commitWait = new Histogram({
      name: `${p}group_commit_wait_seconds`,
      help: 'How long the oldest item of a group commit waited for its run to start, by batcher',
      labelNames: ['batcher'],
      buckets: SECONDS,
      registers,
    });
    this.commitRun = new Histogram({
      name: `${p}group_commit_duration_seconds`,
      help: 'How long one group commit ran, by batcher',
      labelNames: ['batcher'],
      buckets: SECONDS,
      registers,
    });
    this.storeSeconds = new Histogram({
      name: `${p}store_call_duration_seconds`,
      help: 'Calls to ClickHouse and PostgreSQL, by store and operation',
      labelNames: ['store', 'operation'],
      buckets: SECONDS,
      registers,
    });
    this.storeErrors = new Counter({
      name: `${p}store_call_errors_total`,
      help: 'Calls to ClickHouse and PostgreSQL that failed, by store and operation',
      labelNames: ['store', 'operation'],
      registers,
    });
    this.cache = new Counter({
      name: `${p}registry_cache_lookups_total`,
      help: 'Lookups in the registry client caches, by cache and result (hit, miss)',
      labelNames: ['cache', 'result'],
      registers,
    });
    this.usageSeconds = new Histogram({
      name: `${p}usage_query_duration_seconds`,
      help: 'Usage questions answered by ClickHouse, by aggregation type',
      labelNames: ['aggregation_type'],
      buckets: SECONDS,
      registers,
    });
    this.usagePaths = new Counter({
      name: `${p}usage_answers_total`,
      help: 'Usage questions (and windows asked alone) by where they were answered from (hourly, dims, raw, skipped)',
      labelNames: ['path'],
      registers,
    });
    this.activations = new Histogram({
      name: `${p}rollup_activation_duration_seconds`,
      help: 'Activations of metric-aware aggregates (create, settle, backfill), by outcome (ready, failed)',
      labelNames: ['outcome'],
      // An activation waits the settle time (CLAIM_LEASE_MS / 2 by default) before its backfill.
      buckets: [0.1, 1, 5, 15, 20, 30, 60, 120, 300, 600],
      registers,
    });
    this.unhandled = new Counter({
      name: `${p}unhandled_rejections_total`,
      help: 'Unhandled promise rejections and uncaught exceptions caught by the process guard, by kind',
      labelNames: ['kind'],
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  observeRpc(service: string, method: string, code: string, durationMs: number): void {
    this.rpcs.inc({ service, method, code });
    this.rpcSeconds.observe({ service, method, code }, durationMs / 1000);
  }

  observeEvent(outcome: string, warnings: readonly string[]): void {
    this.events.inc({ outcome });
    for (const warning of warnings) this.warnings.inc({ warning });
  }

  observeCommit(batcher: string, size: number, waitMs: number, runMs: number): void {
    this.commitSize.observe({ batcher }, size);
    this.commitWait.observe({ batcher }, waitMs / 1000);
    this.commitRun.observe({ batcher }, runMs / 1000);
  }

  observeCall(store: string, operation: string, durationMs: number, failed: boolean): void {
    this.storeSeconds.observe({ store, operation }, durationMs / 1000);
    if (failed) this.storeErrors.inc({ store, operation });
  }

  observeLookup(cache: string, hit: boolean): void {
    this.cache.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  observeQuery(aggregationType: string, durationMs: number): void {
    this.usageSeconds.observe({ aggregation_type: aggregationType }, durationMs / 1000);
  }

  observeAnswer(path: UsagePath): void {
    this.usagePaths.inc({ path });
  }

  observeActivation(outcome: 'ready' | 'failed', durationMs: number): void {
    this.activations.observe({ outcome }, durationMs / 1000);
  }

  unhandledRejection(kind: 'rejection' | 'exception' = 'rejection'): void {
    this.unhandled.inc({ kind });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
