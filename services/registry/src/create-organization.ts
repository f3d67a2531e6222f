import { Logger } from '@nestjs/common';
import { migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import { registryConfig } from './config';
import { OrganizationRepository } from './organization.repository';

/**
 * `npm run org:create -- "Acme Inc"`: creates an organization and prints its new API key (shown
 * only now: the database keeps its hash). Against the running embedded stack, point DATABASE_URL at
 * the PGlite socket that `npm start` prints.
 */
async function main(): Promise<void> {
  const name = process.argv.slice(2).join(' ').trim();
  if (!name) throw new Error('usage: npm run org:create -- "<organization name>"');
  const config = registryConfig();
  const postgres = await openPostgres({
    url: config.DATABASE_URL,
    dataDir: config.PGLITE_DATA_DIR,
    embeddedPort: 0,
  });
  try {
    await migratePostgres(postgres.pool, (line) => new Logger('migrate').log(line));
    const { organization, apiKey } = await new OrganizationRepository(postgres.pool).create(name);
    console.log(`organization: ${organization.name} (${organization.id})\napi key:      ${apiKey}`);
  } finally {
    await postgres.close();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
