import 'reflect-metadata';
import { openStandaloneClickHouse } from '../../../libs/clickhouse/src/standalone';
import { runMain } from '../../../libs/common/src/main';
import { serveUntilSignal, startServiceProcess } from '../../../libs/common/src/service-process';
import { clientCredentials } from '../../../libs/common/src/tls';
import { RegistryClient, registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { instrumentClickHouse } from '../../../libs/observability/src/store-instrumentation';
import { aggregationConfig } from './config';
import { startAggregation } from './aggregation.app';

/** `npm run start:aggregation`: aggregation alone, on a ClickHouse server (CLICKHOUSE_URL). */
async function main(): Promise<void> {
  const config = aggregationConfig();
  const service = startServiceProcess(config);
  const { logger, metrics } = service.observability;
  const clickhouse = instrumentClickHouse(
    await openStandaloneClickHouse('aggregation', config, logger),
    metrics,
  );
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config), {
    channel: clientCredentials(service.tls),
    metrics,
  });
  const app = await startAggregation(
    clickhouse,
    registry,
    {
      host: config.AGGREGATION_HOST,
      port: config.AGGREGATION_PORT,
      observability: service.observability,
      tls: service.tls,
    },
    {
      checkDuplicates: config.USAGE_DUPLICATE_CHECK,
      rollupTimings: { marginMs: config.USAGE_ROLLUP_MARGIN_MS, settleMs: config.USAGE_ROLLUP_SETTLE_MS },
    },
  );
  await serveUntilSignal(app, service, config, [async () => registry.close(), () => clickhouse.close()]);
}

runMain(main);
