import type { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import type { CallerOrganization } from '../../../libs/common/src/auth';
import { inTransaction } from '../../../libs/postgres/src/transaction';
import { ApiKeyRepository, hashApiKey } from './api-key.repository';

export { hashApiKey } from './api-key.repository';

export interface NewOrganization {
  organization: CallerOrganization;
  /** Shown once; only its SHA-256 is stored. */
  apiKey: string;
}

/** Organizations (tenants): created with their first API key (`npm run org:create`). */
export class OrganizationRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * A new organization and its first key, named "default": a new random secret, or `secret` (the
   * development key kept in a file, so that it stays the same key across restarts and modes).
   */
  async create(name: string, secret?: string): Promise<NewOrganization> {
    const organization = { id: randomUUID(), name };
    const apiKey = await inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [organization.id, name]);
      return (await new ApiKeyRepository(this.pool).create(organization.id, 'default', client, secret))
        .secret;
    });
    return { organization, apiKey };
  }

  /** The organization of an active (not revoked) key, or null. */
  async findByApiKey(apiKey: string): Promise<CallerOrganization | null> {
    const { rows } = await this.pool.query<CallerOrganization>(
      `SELECT o.id, o.name, o.registry_version::text AS "registryVersion" FROM api_keys k JOIN organizations o ON o.id = k.organization_id
       WHERE k.key_sha256 = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(apiKey)],
    );
    return rows[0] ?? null;
  }
}
