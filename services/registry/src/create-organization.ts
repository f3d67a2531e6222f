import { runMain } from '../../../libs/common/src/main';
import { StartupError } from '../../../libs/observability/src/listen-error';
import { embeddedOwner } from '../../../libs/postgres/src/embedded-lock';
import { migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import { registryConfig } from './config';
import { OrganizationRepository } from './organization.repository';

/**
 * `npm run org:create -- "Acme Inc"`: creates an organization and prints its new API key (shown
 * only now: the database keeps its hash). Works whether or not `npm start` runs: with DATABASE_URL
 * it uses that server; otherwise, when a running process serves the embedded PostgreSQL
 * (`<PGLITE_DATA_DIR>.pid`), it connects to that process's socket instead of opening the live
 * data directory a second time; else it opens the embedded store itself.
 */
async function main(): Promise<void> {
  const name = process.argv.slice(2).join(' ').trim();
  if (!name) throw new StartupError('usage: npm run org:create -- "<organization name>"');
  const config = registryConfig();
  const owner = config.DATABASE_URL ? null : embeddedOwner(config.PGLITE_DATA_DIR);
  const url = config.DATABASE_URL ?? (owner ? `postgres://postgres@${owner.address}/postgres` : undefined);
  if (owner)
    console.error(`using the embedded PostgreSQL served by process ${owner.pid} on ${owner.address}`);
  const postgres = await openPostgres({ url, dataDir: config.PGLITE_DATA_DIR, embeddedPort: 0 });
  try {
    await migratePostgres(postgres.pool);
    const { organization, apiKey } = await new OrganizationRepository(postgres.pool).create(name);
    console.log(`organization: ${organization.name} (${organization.id})\napi key:      ${apiKey}`);
  } finally {
    await postgres.close();
  }
}

runMain(main);
