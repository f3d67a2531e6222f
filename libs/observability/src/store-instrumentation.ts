import type { ClickHouseClient } from '@clickhouse/client';
import type { Pool } from 'pg';
import type { StoreMetrics } from './metrics';

const CLICKHOUSE_CALLS = ['query', 'insert', 'command', 'exec'] as const;

async function timed<T>(
  metrics: StoreMetrics,
  store: string,
  operation: string,
  call: () => Promise<T>,
  isFault: (error: unknown) => boolean = () => true,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    metrics.observeCall(store, operation, performance.now() - started, false);
    return result;
  } catch (error) {
    metrics.observeCall(store, operation, performance.now() - started, isFault(error));
    throw error;
  }
}

/**
 * Whether a PostgreSQL error says the store failed, rather than that the statement's data was
 * refused as designed: SQLSTATE class 23 (a unique or foreign key violation: e.g. a metric code
 * already taken, answered ALREADY_EXISTS) and 22 (a value the column cannot hold) are outcomes
 * of a caller's request, not store errors to alert on.
 */
export function isPostgresFault(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return !(typeof code === 'string' && (code.startsWith('23') || code.startsWith('22')));
}

/**
 * Times every call of a ClickHouse client (`query`, `insert`, `command`, `exec`; a query's time is
 * until its result set arrived, not until it was read) and counts the failed ones. Returns the same
 * client object, instrumented in place.
 */
export function instrumentClickHouse(client: ClickHouseClient, metrics: StoreMetrics): ClickHouseClient {
  const methods = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of CLICKHOUSE_CALLS) {
    const original = methods[name].bind(client);
    methods[name] = (...args: unknown[]) => timed(metrics, 'clickhouse', name, () => original(...args));
  }
  return client;
}

/**
 * Times every `pool.query` of a PostgreSQL pool (promise form) and counts the failed ones (those
 * isPostgresFault calls a fault); a client
 * checked out with `pool.connect()` is timed as operation `connect`. Returns the same pool.
 */
export function instrumentPostgres(pool: Pool, metrics: StoreMetrics): Pool {
  const methods = pool as unknown as Record<string, (...args: unknown[]) => unknown>;
  const query = methods.query.bind(pool);
  methods.query = (...args: unknown[]) =>
    typeof args[args.length - 1] === 'function'
      ? query(...args)
      : timed(metrics, 'postgres', 'query', () => query(...args) as Promise<unknown>, isPostgresFault);
  const connect = methods.connect.bind(pool);
  methods.connect = (...args: unknown[]) =>
    args.length > 0
      ? connect(...args)
      : timed(metrics, 'postgres', 'connect', () => connect() as Promise<unknown>);
  return pool;
}
