import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Pool } from 'pg';
import { OrganizationRepository } from '../../registry/src/organization.repository';

/**
 * The development organization's API key: made once and kept in a file beside the embedded data
 * (the database holds only its hash), so every start prints the same key. A database that does not
 * know it yet (a fresh PGlite, or a DATABASE_URL server used once) gets a "Development"
 * organization with that same key, so the key survives restarts and switching stores.
 */
export async function developmentApiKey(pool: Pool, file: string): Promise<string> {
  const organizations = new OrganizationRepository(pool);
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const key = kept || `mk_${randomBytes(32).toString('base64url')}`;
  if (!kept) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  if (!(await organizations.findByApiKey(key))) await organizations.create('Development', key);
  return key;
}
