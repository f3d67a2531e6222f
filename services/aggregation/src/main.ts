import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { openStandaloneClickHouse } from '../../../libs/clickhouse/src/standalone';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown } from '../../../libs/common/src/shutdown';
import { RegistryClient, registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { aggregationConfig } from './config';
import { startAggregation } from './aggregation.app';

async function main(): Promise<void> {
  const config = aggregationConfig();
  const logger = new Logger('aggregation');
  installProcessGuards({ error: (line) => logger.error(line) });
  const clickhouse = await openStandaloneClickHouse('aggregation', config, logger);
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config));
  const app = await startAggregation(clickhouse, registry, config.AGGREGATION_HOST, config.AGGREGATION_PORT);
  onShutdown(logger, [() => app.close(), async () => registry.close(), () => clickhouse.close()]);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
