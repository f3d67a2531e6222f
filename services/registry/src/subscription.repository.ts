import type { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import type { SubscriptionRecord } from '../../../libs/common/src/domain';
import { CURSOR_COLUMN, cursorCondition, type Cursor } from '../../../libs/postgres/src/pagination';

interface SubscriptionRow {
  id: string;
  external_id: string;
  external_customer_id: string;
  started_at: Date;
  terminated_at: Date | null;
  cursor_us: string;
}

export type StoredSubscription = SubscriptionRecord & { cursorUs: string };

const COLUMNS = `id, external_id, external_customer_id, started_at, terminated_at, ${CURSOR_COLUMN}`;

function toSubscription(row: SubscriptionRow): StoredSubscription {
  return {
    id: row.id,
    externalId: row.external_id,
    externalCustomerId: row.external_customer_id,
    startedAt: row.started_at,
    terminatedAt: row.terminated_at,
    cursorUs: row.cursor_us,
  };
}

export type SubscriptionFields = Omit<SubscriptionRecord, 'id'>;

export class SubscriptionRepository {
  constructor(private readonly pool: Pool) {}

  /** Keyed by external_id: one statement, so two concurrent upserts cannot both insert. */
  async upsert(organizationId: string, fields: SubscriptionFields): Promise<StoredSubscription> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `INSERT INTO subscriptions (id, organization_id, external_id, external_customer_id, started_at, terminated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (organization_id, external_id) DO UPDATE SET
         external_customer_id = EXCLUDED.external_customer_id, started_at = EXCLUDED.started_at,
         terminated_at = EXCLUDED.terminated_at, updated_at = clock_timestamp()
       RETURNING ${COLUMNS}`,
      [
        randomUUID(),
        organizationId,
        fields.externalId,
        fields.externalCustomerId,
        fields.startedAt,
        fields.terminatedAt,
      ],
    );
    return toSubscription(rows[0]);
  }

  async findByExternalId(organizationId: string, externalId: string): Promise<StoredSubscription | null> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE organization_id = $1 AND external_id = $2`,
      [organizationId, externalId],
    );
    return rows[0] ? toSubscription(rows[0]) : null;
  }

  async findByExternalIds(organizationId: string, externalIds: string[]): Promise<StoredSubscription[]> {
    const { rows } = await this.pool.query<SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE organization_id = $1 AND external_id = ANY($2::text[])`,
      [organizationId, externalIds],
    );
    return rows.map(toSubscription);
  }

  /** In (created_at, id) order; an empty customer id lists the whole organization. */
  async list(
    organizationId: string,
    externalCustomerId: string,
    after: Cursor | null,
    limit: number,
  ): Promise<StoredSubscription[]> {
    const params: unknown[] = [organizationId, limit, externalCustomerId];
    let where = `organization_id = $1 AND ($3 = '' OR external_customer_id = $3)`;
    if (after) {
      params.push(after.createdAtUs, after.id);
      where += ` AND ${cursorCondition(4, 5)}`;
    }
    const { rows } = await this.pool.query<SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions WHERE ${where} ORDER BY created_at, id LIMIT $2`,
      params,
    );
    return rows.map(toSubscription);
  }
}
