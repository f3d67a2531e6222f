import type { QueryResult, QueryResultRow } from 'pg';
import { UnavailableError } from '../../../../libs/common/src/errors';
import type { EventKeyFields } from '../event';

/** What the repository needs of `pg` (a Pool); tests wrap it to fail chosen statements. */
export interface SqlClient {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** Where a claimed key's event is (or will be) in ClickHouse: its sorting-key columns and its id. */
export interface ClaimPointer extends EventKeyFields {
  code: string;
  timestamp: Date;
  lagoId: string;
}

/** A claim row as read back. `expired`: its lease ended, by the database's clock. */
export interface ClaimRow extends ClaimPointer {
  state: 'claimed' | 'stored';
  owner: string;
  expired: boolean;
}

interface Row {
  organization_id: string;
  external_subscription_id: string;
  transaction_id: string;
  state: 'claimed' | 'stored';
  owner: string;
  expired: boolean;
  code: string;
  timestamp: Date;
  lago_id: string;
}

/** The key columns of a set of claims, as parallel arrays ($1 uuid[], $2 text[], $3 text[]). */
function keyArrays(keys: EventKeyFields[]): [string[], string[], string[]] {
  return [
    keys.map((k) => k.organizationId),
    keys.map((k) => k.externalSubscriptionId),
    keys.map((k) => k.transactionId),
  ];
}

const KEYS = `unnest($1::uuid[], $2::text[], $3::text[])`;
const MATCH_KEY = `c.organization_id = k.o AND c.external_subscription_id = k.s AND c.transaction_id = k.t`;

async function claimsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new UnavailableError(`claim store unavailable (${what}): ${(error as Error).message}`);
  }
}

/**
 * SQL and nothing else: `event_claims` (services/ingestion/migrations/postgres/0001_create_event_claims.sql).
 * Every statement is one autocommit statement; the lease clock is the database's `now()`.
 */
export class ClaimRepository {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Claims the keys nobody holds, for `owner`, in the given order (callers sort: two statements
   * taking overlapping keys in different orders deadlock). Returns the lago_ids of the rows inserted.
   */
  async insert(claims: ClaimPointer[], owner: string, leaseMs: number): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const { rows } = await claimsCall('claim', () =>
      this.sql.query<{ lago_id: string }>(
        `INSERT INTO event_claims AS c (organization_id, external_subscription_id, transaction_id, state, owner,
                                       lease_until, code, "timestamp", lago_id)
         SELECT k.o, k.s, k.t, 'claimed', $7::uuid, now() + $8::int * interval '1 millisecond', k.code, k.ts, k.lago
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::uuid[])
              WITH ORDINALITY AS k(o, s, t, code, ts, lago, n)
         ORDER BY k.n
         ON CONFLICT DO NOTHING
         RETURNING c.lago_id`,
        [
          ...keyArrays(claims),
          claims.map((c) => c.code),
          claims.map((c) => c.timestamp),
          claims.map((c) => c.lagoId),
          owner,
          leaseMs,
        ],
      ),
    );
    return new Set(rows.map((r) => r.lago_id));
  }

  /** The rows of these keys (absent keys: no row). */
  async read(keys: EventKeyFields[]): Promise<ClaimRow[]> {
    if (keys.length === 0) return [];
    const { rows } = await claimsCall('read', () =>
      this.sql.query<Row>(
        `SELECT c.organization_id, c.external_subscription_id, c.transaction_id, c.state, c.owner,
                c.lease_until < now() AS expired, c.code, c."timestamp", c.lago_id
         FROM event_claims c JOIN ${KEYS} AS k(o, s, t) ON ${MATCH_KEY}`,
        keyArrays(keys),
      ),
    );
    return rows.map((r) => ({
      organizationId: r.organization_id,
      externalSubscriptionId: r.external_subscription_id,
      transactionId: r.transaction_id,
      state: r.state,
      owner: r.owner,
      expired: r.expired,
      code: r.code,
      timestamp: r.timestamp,
      lagoId: r.lago_id,
    }));
  }

  /**
   * Compare-and-set: `owner` takes over the key from `previous` only if that claim is unchanged
   * (same owner, same lago_id, still claimed) and its lease has ended. True if it did.
   */
  async takeOver(previous: ClaimRow, next: ClaimPointer, owner: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await claimsCall('take-over', () =>
      this.sql.query(
        `UPDATE event_claims SET owner = $6::uuid, lease_until = now() + $7::int * interval '1 millisecond',
                                 code = $8, "timestamp" = $9, lago_id = $10::uuid
         WHERE organization_id = $1::uuid AND external_subscription_id = $2 AND transaction_id = $3
           AND owner = $4::uuid AND lago_id = $5::uuid AND state = 'claimed' AND lease_until < now()`,
        [
          previous.organizationId,
          previous.externalSubscriptionId,
          previous.transactionId,
          previous.owner,
          previous.lagoId,
          owner,
          leaseMs,
          next.code,
          next.timestamp,
          next.lagoId,
        ],
      ),
    );
    return rowCount === 1;
  }

  /**
   * Marks claims stored: each key whose row still points at that lago_id (whoever claimed it: the
   * owner after its insert, or anyone who found that event in ClickHouse). Returns the lago_ids marked.
   */
  async markStored(claims: ClaimPointer[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const { rows } = await claimsCall('mark-stored', () =>
      this.sql.query<{ lago_id: string }>(
        `UPDATE event_claims c SET state = 'stored'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS k(o, s, t, lago)
         WHERE ${MATCH_KEY} AND c.lago_id = k.lago
         RETURNING c.lago_id`,
        [...keyArrays(claims), claims.map((c) => c.lagoId)],
      ),
    );
    return new Set(rows.map((r) => r.lago_id));
  }

  /**
   * Points an owned, still claimed key at an event found already stored in ClickHouse (stored
   * before claims existed) and marks it stored. Returns the lago_ids (of the owner's claims) changed.
   */
  async adopt(claims: { mine: ClaimPointer; found: ClaimPointer }[], owner: string): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const { rows } = await claimsCall('adopt', () =>
      this.sql.query<{ mine: string }>(
        `UPDATE event_claims c SET state = 'stored', code = k.code, "timestamp" = k.ts, lago_id = k.found
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::timestamptz[], $7::uuid[])
              AS k(o, s, t, mine, code, ts, found)
         WHERE ${MATCH_KEY} AND c.lago_id = k.mine AND c.owner = $8::uuid AND c.state = 'claimed'
         RETURNING k.mine`,
        [
          ...keyArrays(claims.map((c) => c.mine)),
          claims.map((c) => c.mine.lagoId),
          claims.map((c) => c.found.code),
          claims.map((c) => c.found.timestamp),
          claims.map((c) => c.found.lagoId),
          owner,
        ],
      ),
    );
    return new Set(rows.map((r) => r.mine));
  }

  /** Extends the leases of `owner`'s claims that are still claimed. Returns the lago_ids renewed. */
  async renew(claims: ClaimPointer[], owner: string, leaseMs: number): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const { rows } = await claimsCall('renew', () =>
      this.sql.query<{ lago_id: string }>(
        `UPDATE event_claims c SET lease_until = now() + $6::int * interval '1 millisecond'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS k(o, s, t, lago)
         WHERE ${MATCH_KEY} AND c.lago_id = k.lago AND c.owner = $5::uuid AND c.state = 'claimed'
         RETURNING c.lago_id`,
        [...keyArrays(claims), claims.map((c) => c.lagoId), owner, leaseMs],
      ),
    );
    return new Set(rows.map((r) => r.lago_id));
  }

  /** Frees `owner`'s claims that are still claimed (their events were not stored). */
  async release(claims: ClaimPointer[], owner: string): Promise<void> {
    if (claims.length === 0) return;
    await claimsCall('release', () =>
      this.sql.query(
        `DELETE FROM event_claims c
         USING unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS k(o, s, t, lago)
         WHERE ${MATCH_KEY} AND c.lago_id = k.lago AND c.owner = $5::uuid AND c.state = 'claimed'`,
        [...keyArrays(claims), claims.map((c) => c.lagoId), owner],
      ),
    );
  }
}
