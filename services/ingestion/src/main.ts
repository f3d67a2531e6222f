import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { openStandaloneClickHouse } from '../../../libs/clickhouse/src/standalone';
import { runMain } from '../../../libs/common/src/main';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown, shutdown } from '../../../libs/common/src/shutdown';
import { clientCredentials, loadTls } from '../../../libs/common/src/tls';
import { RegistryClient, registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { NestPinoLogger } from '../../../libs/observability/src/logger';
import { startMetricsServer } from '../../../libs/observability/src/metrics-server';
import { processObservability } from '../../../libs/observability/src/observability';
import {
  instrumentClickHouse,
  instrumentPostgres,
} from '../../../libs/observability/src/store-instrumentation';
import { dedupeClaims } from '../../../libs/common/src/config';
import { CLAIM_MIGRATIONS, migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import type { ClaimsSetting } from './claims/claims';
import { ingestionConfig } from './config';
import { startIngestion } from './ingestion.app';

/** `npm run start:ingestion`: ingestion alone, on a ClickHouse server (CLICKHOUSE_URL). */
async function main(): Promise<void> {
  const config = ingestionConfig();
  const tls = loadTls(config);
  const observability = processObservability(config.LOG_LEVEL);
  const { logger, metrics } = observability;
  Logger.overrideLogger(new NestPinoLogger(logger));
  installProcessGuards({
    error: (line) => observability.logger.error(line),
    count: () => observability.metrics.unhandledRejection('rejection'),
  });
  const clickhouse = instrumentClickHouse(
    await openStandaloneClickHouse('ingestion', config, logger),
    metrics,
  );
  // The claim shared with every other ingestion process (DEDUPE_CLAIMS; config.ts requires its URL).
  const claimsDb =
    dedupeClaims(config) === 'postgres'
      ? await openPostgres({ url: config.CLAIMS_DATABASE_URL ?? config.DATABASE_URL, dataDir: '' })
      : undefined;
  let claims: ClaimsSetting = { mode: 'local' };
  if (claimsDb) {
    instrumentPostgres(claimsDb.pool, metrics);
    await migratePostgres(claimsDb.pool, (line) => logger.info(line), CLAIM_MIGRATIONS);
    logger.info(`claims: ${claimsDb.description}, lease ${config.CLAIM_LEASE_MS} ms`);
    claims = { mode: 'postgres', sql: claimsDb.pool, leaseMs: config.CLAIM_LEASE_MS };
  }
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config), {
    channel: clientCredentials(tls),
    metrics,
  });
  const app = await startIngestion(
    clickhouse,
    registry,
    {
      host: config.INGESTION_HOST,
      port: config.INGESTION_PORT,
      observability,
      tls,
    },
    claims,
  );
  const metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
  logger.info({ address: metricsServer.address }, 'metrics: GET /metrics');
  onShutdown(logger, (signal) =>
    shutdown(
      {
        apps: [[app]],
        graceMs: config.SHUTDOWN_GRACE_MS,
        closers: [
          async () => registry.close(),
          () => clickhouse.close(),
          async () => claimsDb?.close(),
          () => metricsServer.close(),
        ],
      },
      logger,
      signal,
    ),
  );
}

runMain(main);
