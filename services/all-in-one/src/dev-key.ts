import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { OrganizationRepository } from '../../registry/src/organization.repository';

/**
 * The development organization's API key, made on the first start and kept in a file beside the
 * embedded data (the database holds only its hash), so every start can print it.
 */
export async function developmentApiKey(pool: Pool, file: string): Promise<string> {
  const organizations = new OrganizationRepository(pool);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (await organizations.findByApiKey(key)) return key;
  }
  const { apiKey } = await organizations.create('Development');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
  return apiKey;
}
