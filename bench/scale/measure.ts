import type { ScaleConfig } from '../config';
import { latency, type Latency } from '../stats';
import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';

/**
 * Which path answered: `raw` when the SQL read `events` only (every selected event), `fast` when it
 * did not read `events` at all (aggregates such as `usage_hourly`, or whatever tables later fast
 * paths add), `mixed` when both (e.g. GetSubscriptionUsage, some metrics each way).
 */
export type AnswerPath = 'fast' | 'raw' | 'mixed';

export interface PathRecord {
  path: AnswerPath;
  /** Tables the SQL read (after FROM or JOIN), sorted. */
  tables: string[];
  /** ClickHouse round trips of the call (each a UNION ALL of up to 50 statements). */
  roundTrips: number;
}

/** A table name after FROM or JOIN (not ARRAY JOIN, not a subquery, not a table function). */
const TABLE = /(?<!ARRAY )\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)\b(?!\s*\()/g;

/** The tables one SQL text reads. */
export function tablesOf(sql: string): string[] {
  return [...sql.matchAll(TABLE)].map((m) => m[1]);
}

/** How the SQL of `calls` calls of one question answered (see AnswerPath). */
export function pathOf(queries: string[], calls = 1): PathRecord {
  const tables = [...new Set(queries.flatMap(tablesOf))].sort();
  const raw = tables.includes('events');
  const path: AnswerPath = !raw ? 'fast' : tables.length === 1 ? 'raw' : 'mixed';
  return { path, tables, roundTrips: Math.round((queries.length / Math.max(1, calls)) * 10) / 10 };
}

/**
 * The ClickHouse client with every query's SQL recorded: the product's UsageService is built on it
 * exactly as the aggregation module builds it (so it takes whatever paths the product takes), and
 * the bench reads afterwards which tables answered, as test/e2e/rollup-differential.e2e-spec.ts
 * does with a recording repository.
 */
export class QueryRecorder {
  private queries: string[] = [];
  readonly client: ClickHouseClient;

  constructor(clickhouse: ClickHouseClient) {
    this.client = new Proxy(clickhouse, {
      get: (target, property) => {
        if (property === 'query') {
          return (params: Parameters<ClickHouseClient['query']>[0]) => {
            this.queries.push(params.query);
            return target.query(params);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** The SQL sent since the last call. */
  take(): string[] {
    const taken = this.queries;
    this.queries = [];
    return taken;
  }
}

export interface Timed<T> {
  latencyMs: Latency;
  /** The last answer. */
  answer: T;
  /** Calls made, warm-up included. */
  calls: number;
}

/** How many calls a question gets: the product's path (`runs`), or the raw baseline (`baseline`). */
export type RunPlan = Pick<ScaleConfig, 'warmup' | 'minRuns' | 'slowRuns' | 'maxRuns' | 'budgetMs'>;

/** The raw baseline's plan: no warm-up (the product path just read the same rows), at most `rawRuns`. */
export const baselinePlan = (c: ScaleConfig): RunPlan => ({
  warmup: 0,
  minRuns: 1,
  slowRuns: 1,
  maxRuns: c.rawRuns,
  budgetMs: c.budgetMs,
});

/**
 * Warm-up calls (a second one only when the first took under a tenth of the budget), then measured
 * calls until `maxRuns`, or until the budget has passed once `minRuns` are in. A warm-up call that
 * took longer than the whole budget counts as the first measured call (seconds of work over events
 * the previous question already read are not a cold-cache effect), and the question then gets
 * `slowRuns` calls in all: a 10M-event question read raw takes seconds a call, and its p50 is far
 * enough from the target for two calls to say so.
 */
export async function timeCalls<T>(call: () => Promise<T>, plan: RunPlan): Promise<Timed<T>> {
  let answer: T | undefined;
  let warmups = 0;
  const samples: number[] = [];
  for (let i = 0; i < plan.warmup; i++) {
    const t0 = performance.now();
    answer = await call();
    const took = performance.now() - t0;
    if (took > plan.budgetMs) samples.push(took);
    else warmups += 1;
    if (took > plan.budgetMs / 10) break;
  }
  const minRuns = samples.length > 0 ? plan.slowRuns : plan.minRuns;
  const started = performance.now();
  while (
    samples.length < plan.maxRuns &&
    (samples.length < minRuns || performance.now() - started < plan.budgetMs)
  ) {
    const t0 = performance.now();
    answer = await call();
    samples.push(performance.now() - t0);
  }
  return { latencyMs: latency(samples), answer: answer as T, calls: warmups + samples.length };
}
