import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';

/** An idempotency key (SPEC §2.2 rule 3) with more than one stored row. */
export interface DuplicateKey {
  organizationId: string;
  externalSubscriptionId: string;
  transactionId: string;
  /** Rows stored with this key (≥ 2). */
  copies: number;
}

/**
 * The audit that replaced the usage queries' per-call duplicate check (issue 9): ingestion claims
 * every key before storing it, so no key can be stored twice; rows stored twice can only come from
 * data written before the claims existed (two ingestion processes racing on a key). This finds
 * them, off the hot path: one GROUP BY over every key of `events` (memory grows with the number of
 * keys; ClickHouse spills to disk past `max_bytes_before_external_group_by`). A deployment that has
 * some sets USAGE_DUPLICATE_CHECK=true, or removes the later copies.
 */
export class DuplicateAudit {
  constructor(private readonly clickhouse: ClickHouseClient) {}

  /** Up to `limit` keys stored more than once (most copies first), and how many there are in all. */
  async find(limit = 100): Promise<{ keys: DuplicateKey[]; total: number }> {
    const result = await this.clickhouse.query({
      query: `
        SELECT organization_id, external_subscription_id, transaction_id, count() AS copies,
               count() OVER () AS total
        FROM events
        GROUP BY organization_id, external_subscription_id, transaction_id
        HAVING copies > 1
        ORDER BY copies DESC, organization_id, external_subscription_id, transaction_id
        LIMIT {limit:UInt32}
        SETTINGS max_bytes_before_external_group_by = 1000000000`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{
      organization_id: string;
      external_subscription_id: string;
      transaction_id: string;
      copies: string;
      total: string;
    }>();
    return {
      keys: rows.map((r) => ({
        organizationId: r.organization_id,
        externalSubscriptionId: r.external_subscription_id,
        transactionId: r.transaction_id,
        copies: Number(r.copies),
      })),
      total: rows.length > 0 ? Number(rows[0].total) : 0,
    };
  }
}
