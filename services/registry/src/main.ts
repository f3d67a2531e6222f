import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain } from '../../../libs/common/src/main';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown, shutdown } from '../../../libs/common/src/shutdown';
import { loadTls } from '../../../libs/common/src/tls';
import { NestPinoLogger } from '../../../libs/observability/src/logger';
import { startMetricsServer } from '../../../libs/observability/src/metrics-server';
import { processObservability } from '../../../libs/observability/src/observability';
import { instrumentPostgres } from '../../../libs/observability/src/store-instrumentation';
import { migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import { registryConfig } from './config';
import { startRegistry } from './registry.app';

/** `npm run start:registry`: the registry alone (PostgreSQL from DATABASE_URL, or embedded PGlite). */
async function main(): Promise<void> {
  const config = registryConfig();
  const tls = loadTls(config);
  const observability = processObservability(config.LOG_LEVEL);
  const { logger, metrics } = observability;
  Logger.overrideLogger(new NestPinoLogger(logger));
  installProcessGuards({
    error: (line) => observability.logger.error(line),
    count: () => observability.metrics.unhandledRejection('rejection'),
  });
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
  const metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
  logger.info({ address: metricsServer.address }, 'metrics: GET /metrics');
  onShutdown(logger, (signal) =>
    shutdown(
      {
        apps: [[app]],
        graceMs: config.SHUTDOWN_GRACE_MS,
        closers: [() => postgres.close(), () => metricsServer.close()],
      },
      logger,
      signal,
    ),
  );
}

runMain(main);
