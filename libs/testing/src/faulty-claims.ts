/**
 * The statements of ingestion's claim store (services/ingestion/src/claims/claim.repository.ts), by
 * what they do to `event_claims`.
 */
export type ClaimOperation = 'claim' | 'read' | 'take-over' | 'mark-stored' | 'adopt' | 'renew' | 'release';

function operationOf(sql: string): ClaimOperation | null {
  const text = sql.trim();
  if (/^INSERT INTO event_claims\b/i.test(text)) return 'claim';
  if (/^SELECT\b[\s\S]*\bFROM event_claims\b/i.test(text)) return 'read';
  if (/^DELETE FROM event_claims\b/i.test(text)) return 'release';
  if (!/^UPDATE event_claims\b/i.test(text)) return null;
  if (/SET owner\b/i.test(text)) return 'take-over';
  if (/SET lease_until\b/i.test(text)) return 'renew';
  if (/lago_id = k\.found/i.test(text)) return 'adopt';
  return 'mark-stored';
}

/** What a claims pool offers (pg's Pool, structurally). */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export class InjectedClaimFault extends Error {
  constructor(readonly operation: ClaimOperation) {
    super(`injected fault: claims ${operation} failed`);
  }
}

/**
 * Fault injection at the claim store's repository boundary (docs/STYLE.md "Operational code"), as
 * FaultyClickHouse does for ClickHouse: fails the Nth statement of a named operation after `failAt`
 * armed it (before it reaches PostgreSQL); everything else goes through. `calls` counts statements
 * per operation. Tests only.
 */
export class FaultyClaims {
  private readonly armed = new Map<ClaimOperation, number>();
  readonly failures = new Map<ClaimOperation, number>();
  readonly calls = new Map<ClaimOperation, number>();

  failAt(operation: ClaimOperation, nth = 1): void {
    this.armed.set(operation, nth);
  }

  reset(): void {
    this.armed.clear();
    this.failures.clear();
    this.calls.clear();
  }

  wrap<T extends Queryable>(sql: T): T {
    const query = (text: string, values?: unknown[]) => {
      const operation = operationOf(text);
      if (operation) {
        this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
        const left = this.armed.get(operation);
        if (left !== undefined) {
          if (left <= 1) {
            this.armed.delete(operation);
            this.failures.set(operation, (this.failures.get(operation) ?? 0) + 1);
            return Promise.reject(new InjectedClaimFault(operation));
          }
          this.armed.set(operation, left - 1);
        }
      }
      return sql.query(text, values);
    };
    return new Proxy(sql, {
      get: (target, property, receiver) => {
        if (property === 'query') return query;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
