import type { Pool, PoolClient } from 'pg';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CURSOR_COLUMN, cursorCondition, type Cursor } from '../../../libs/postgres/src/pagination';
import { inTransaction } from '../../../libs/postgres/src/transaction';

/** An API key as stored: never its secret, only the secret's SHA-256. */
export interface ApiKeyRecord {
  id: string;
  organizationId: string;
  name: string;
  prefix: string;
  keySha256: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  cursorUs: string;
}

/** Characters of the secret kept in clear, to recognise a key (SPEC §2.1). */
export const KEY_PREFIX_LENGTH = 8;

/** A new secret: `mk_` and 256 random bits. */
export function newApiKeySecret(): string {
  return `mk_${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a secret. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  key_prefix: string;
  key_sha256: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  cursor_us: string;
}

const COLUMNS = `id, organization_id, name, key_prefix, key_sha256, created_at, revoked_at, last_used_at, ${CURSOR_COLUMN}`;

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    prefix: row.key_prefix,
    keySha256: row.key_sha256,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    cursorUs: row.cursor_us,
  };
}

/** What revoke() found: the key (revoked now or before), or why it could not. */
export type RevokeOutcome =
  { kind: 'revoked'; key: ApiKeyRecord; now: boolean } | { kind: 'not_found' } | { kind: 'last_active_key' };

/** SQL and nothing else: the api_keys table, always scoped to one organization. */
export class ApiKeyRepository {
  constructor(private readonly pool: Pool) {}

  /** Inserts a key with a new secret; the secret is returned here and never stored. */
  async create(
    organizationId: string,
    name: string,
    client: Pool | PoolClient = this.pool,
    secret = newApiKeySecret(),
  ): Promise<{ key: ApiKeyRecord; secret: string }> {
    const { rows } = await client.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, organization_id, name, key_sha256, key_prefix) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [randomUUID(), organizationId, name, hashApiKey(secret), secret.slice(0, KEY_PREFIX_LENGTH)],
    );
    return { key: toRecord(rows[0]), secret };
  }

  /** In (created_at, id) order, revoked keys included. */
  async list(organizationId: string, after: Cursor | null, limit: number): Promise<ApiKeyRecord[]> {
    const params: unknown[] = [organizationId, limit];
    let where = 'organization_id = $1';
    if (after) {
      params.push(after.createdAtUs, after.id);
      where += ` AND ${cursorCondition(3, 4)}`;
    }
    const { rows } = await this.pool.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE ${where} ORDER BY created_at, id LIMIT $2`,
      params,
    );
    return rows.map(toRecord);
  }

  /**
   * Revokes one key unless it is the organization's last active one. The organization's row is
   * locked first, so two concurrent revocations of its last two keys cannot both succeed.
   * Revoking a revoked key changes nothing and returns it.
   */
  revoke(organizationId: string, id: string): Promise<RevokeOutcome> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
      const { rows } = await client.query<ApiKeyRow>(
        `SELECT ${COLUMNS} FROM api_keys WHERE organization_id = $1 AND id = $2`,
        [organizationId, id],
      );
      if (!rows[0]) return { kind: 'not_found' } as const;
      if (rows[0].revoked_at) return { kind: 'revoked', key: toRecord(rows[0]), now: false } as const;
      const active = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM api_keys WHERE organization_id = $1 AND revoked_at IS NULL',
        [organizationId],
      );
      if (Number(active.rows[0].n) <= 1) return { kind: 'last_active_key' } as const;
      const revoked = await client.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = clock_timestamp() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id],
      );
      return { kind: 'revoked', key: toRecord(revoked.rows[0]), now: true } as const;
    });
  }

  /** Records a use of the key (approximate: callers write at most about once a minute per key). */
  async touch(keySha256: string, at: Date): Promise<void> {
    await this.pool.query(
      'UPDATE api_keys SET last_used_at = $2 WHERE key_sha256 = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
      [keySha256, at],
    );
  }
}
