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
import { instrumentClickHouse } from '../../../libs/observability/src/store-instrumentation';
import { aggregationConfig } from './config';
import { startAggregation } from './aggregation.app';

/** `npm run start:aggregation`: aggregation alone, on a ClickHouse server (CLICKHOUSE_URL). */
async function main(): Promise<void> {
  const config = aggregationConfig();
  const tls = loadTls(config);
  const observability = processObservability(config.LOG_LEVEL);
  const { logger, metrics } = observability;
  Logger.overrideLogger(new NestPinoLogger(logger));
  installProcessGuards({
    error: (line) => observability.logger.error(line),
    count: () => observability.metrics.unhandledRejection('rejection'),
  });
  const clickhouse = instrumentClickHouse(
    await openStandaloneClickHouse('aggregation', config, logger),
    metrics,
  );
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config), {
    channel: clientCredentials(tls),
    metrics,
  });
  const app = await startAggregation(
    clickhouse,
    registry,
    {
      host: config.AGGREGATION_HOST,
      port: config.AGGREGATION_PORT,
      observability,
      tls,
    },
    { checkDuplicates: config.USAGE_DUPLICATE_CHECK },
  );
  const metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
  logger.info({ address: metricsServer.address }, 'metrics: GET /metrics');
  onShutdown(logger, (signal) =>
    shutdown(
      {
        apps: [[app]],
        graceMs: config.SHUTDOWN_GRACE_MS,
        closers: [async () => registry.close(), () => clickhouse.close(), () => metricsServer.close()],
      },
      logger,
      signal,
    ),
  );
}

runMain(main);
