import type { ClickHouseClient } from '../../clickhouse/src/clickhouse';

/**
 * The store calls ingestion makes, by the table they touch: `key-index` (the point lookup in
 * `event_keys`), `lookup` (reading the original events of keys found there), `insert` (the append
 * to `events`, which also writes the key index through its materialized view).
 */
export type StoreOperation = 'key-index' | 'lookup' | 'insert';

function operationOf(
  method: 'query' | 'insert',
  params: { query?: string; table?: string },
): StoreOperation | null {
  if (method === 'insert') return params.table === 'events' ? 'insert' : null;
  const sql = params.query ?? '';
  if (/\bFROM\s+event_keys\b/i.test(sql)) return 'key-index';
  if (/\bFROM\s+events\b/i.test(sql)) return 'lookup';
  return null;
}

/** The error an armed call fails with, as the client would raise for a store that went away. */
export class InjectedFault extends Error {
  constructor(readonly operation: StoreOperation) {
    super(`injected fault: ${operation} failed`);
  }
}

/**
 * Fault injection at the store boundary (docs/STYLE.md "Operational code"): wraps the ClickHouse
 * client that ingestion is given and fails the Nth call of a named operation after `failAt` armed
 * it; every other call goes through unchanged. Tests only.
 */
export class FaultyClickHouse {
  private readonly armed = new Map<StoreOperation, number>();
  /** Operations whose armed call runs first and then fails (the store did it; the client was told no). */
  private readonly afterwards = new Set<StoreOperation>();
  /** Calls that failed, per operation. */
  readonly failures: Record<StoreOperation, number> = { 'key-index': 0, lookup: 0, insert: 0 };

  /**
   * Makes the `nth` call (1 = the next one) of `operation` from now on fail, once. `after`: the call
   * reaches the store and completes, and then the caller gets the error (an insert that landed but
   * whose answer was lost).
   */
  failAt(operation: StoreOperation, nth = 1, options: { after?: boolean } = {}): void {
    this.armed.set(operation, nth);
    if (options.after) this.afterwards.add(operation);
    else this.afterwards.delete(operation);
  }

  /** Disarms every operation and zeroes the failure counts. */
  reset(): void {
    this.armed.clear();
    this.afterwards.clear();
    for (const operation of Object.keys(this.failures) as StoreOperation[]) this.failures[operation] = 0;
  }

  /** The client to give ingestion in place of `client`. */
  wrap(client: ClickHouseClient): ClickHouseClient {
    const intercept = (method: 'query' | 'insert') => (params: { query?: string; table?: string }) => {
      const operation = operationOf(method, params);
      const left = operation ? this.armed.get(operation) : undefined;
      if (operation && left !== undefined) {
        if (left <= 1) {
          this.armed.delete(operation);
          this.failures[operation]++;
          if (!this.afterwards.has(operation)) return Promise.reject(new InjectedFault(operation));
          return (client[method] as (p: unknown) => Promise<unknown>)
            .call(client, params)
            .then(() => Promise.reject(new InjectedFault(operation)));
        }
        this.armed.set(operation, left - 1);
      }
      return (client[method] as (p: unknown) => Promise<unknown>).call(client, params);
    };
    return new Proxy(client, {
      get: (target, property, receiver) => {
        if (property === 'query' || property === 'insert') return intercept(property);
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
