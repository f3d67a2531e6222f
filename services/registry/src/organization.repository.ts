import type { Pool } from 'pg';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CallerOrganization } from '../../../libs/common/src/auth';
import { inTransaction } from '../../../libs/postgres/src/transaction';

export interface NewOrganization {
  organization: CallerOrganization;
  /** Shown once; only its SHA-256 is stored. */
  apiKey: string;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export class OrganizationRepository {
  constructor(private readonly pool: Pool) {}

  /** A new organization with one API key: a new random one, or `apiKey` (the development key kept in a file). */
  async create(
    name: string,
    apiKey = `mk_${randomBytes(32).toString('base64url')}`,
  ): Promise<NewOrganization> {
    const organization = { id: randomUUID(), name };
    await inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [organization.id, name]);
      await client.query(
        'INSERT INTO api_keys (id, organization_id, key_sha256, key_prefix) VALUES ($1, $2, $3, $4)',
        [randomUUID(), organization.id, hashApiKey(apiKey), apiKey.slice(0, 7)],
      );
    });
    return { organization, apiKey };
  }

  async findByApiKey(apiKey: string): Promise<CallerOrganization | null> {
    const { rows } = await this.pool.query<CallerOrganization>(
      `SELECT o.id, o.name FROM api_keys k JOIN organizations o ON o.id = k.organization_id
       WHERE k.key_sha256 = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(apiKey)],
    );
    return rows[0] ?? null;
  }
}
