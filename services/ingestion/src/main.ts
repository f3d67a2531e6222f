import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { openStandaloneClickHouse } from '../../../libs/clickhouse/src/standalone';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown } from '../../../libs/common/src/shutdown';
import { RegistryClient, registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { ingestionConfig } from './config';
import { startIngestion } from './ingestion.app';

async function main(): Promise<void> {
  const config = ingestionConfig();
  const logger = new Logger('ingestion');
  installProcessGuards({ error: (line) => logger.error(line) });
  const clickhouse = await openStandaloneClickHouse('ingestion', config, logger);
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config));
  const app = await startIngestion(clickhouse, registry, config.INGESTION_HOST, config.INGESTION_PORT);
  onShutdown(logger, [() => app.close(), async () => registry.close(), () => clickhouse.close()]);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
