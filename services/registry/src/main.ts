import 'reflect-metadata';
import { runMain } from '../../../libs/common/src/main';
import { serveUntilSignal, startServiceProcess } from '../../../libs/common/src/service-process';
import { instrumentPostgres } from '../../../libs/observability/src/store-instrumentation';
import { migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import { registryConfig } from './config';
import { startRegistry } from './registry.app';

/** `npm run start:registry`: the registry alone (PostgreSQL from DATABASE_URL, or embedded PGlite). */
async function main(): Promise<void> {
  const config = registryConfig();
  const service = startServiceProcess(config);
  const { tls, observability } = service;
  const { logger, metrics } = observability;
  const postgres = await openPostgres({
    url: config.DATABASE_URL,
    dataDir: config.PGLITE_DATA_DIR,
    embeddedPort: config.PGLITE_PORT,
    onIdleError: (error) =>
      logger.warn({ err: error }, 'postgres: idle connection lost (replaced on next use)'),
  });
  instrumentPostgres(postgres.pool, metrics);
  logger.info(`store: ${postgres.description}`);
  await migratePostgres(postgres.pool, (line) => logger.info(line));
  const app = await startRegistry(postgres.pool, {
    host: config.REGISTRY_HOST,
    port: config.REGISTRY_PORT,
    observability,
    tls,
  });
  await serveUntilSignal(app, service, config, [() => postgres.close()]);
}

runMain(main);
