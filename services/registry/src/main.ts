import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { openPostgres, migratePostgres } from '../../../libs/postgres/src/postgres';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown } from '../../../libs/common/src/shutdown';
import { registryConfig } from './config';
import { startRegistry } from './registry.app';

async function main(): Promise<void> {
  const config = registryConfig();
  const logger = new Logger('registry');
  installProcessGuards({ error: (line) => logger.error(line) });
  const postgres = await openPostgres({
    url: config.DATABASE_URL,
    dataDir: config.PGLITE_DATA_DIR,
    embeddedPort: config.PGLITE_PORT,
  });
  logger.log(`store: ${postgres.description}`);
  await migratePostgres(postgres.pool, (line) => logger.log(line));
  const app = await startRegistry(postgres.pool, config.REGISTRY_HOST, config.REGISTRY_PORT);
  onShutdown(logger, [() => app.close(), () => postgres.close()]);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
