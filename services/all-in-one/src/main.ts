import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { clickHouseConfig } from '../../../libs/clickhouse/src/standalone';
import { installProcessGuards } from '../../../libs/common/src/process-guards';
import { onShutdown } from '../../../libs/common/src/shutdown';
import { registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { stackEnv } from './config';
import { developmentApiKey } from './dev-key';
import { startStack } from './stack';

/** `npm start`: the whole system in one process, on the embedded stores unless URLs are set. */
async function main(): Promise<void> {
  const env = stackEnv();
  const logger = new Logger('metering');
  installProcessGuards({ error: (line) => logger.error(line) });
  const stack = await startStack(
    {
      host: env.HOST,
      ports: {
        registry: env.REGISTRY_PORT,
        ingestion: env.INGESTION_PORT,
        aggregation: env.AGGREGATION_PORT,
      },
      registryCache: registryCacheTtls(env),
      clickhouse: clickHouseConfig(env),
      postgres: { url: env.DATABASE_URL, dataDir: env.PGLITE_DATA_DIR, embeddedPort: env.PGLITE_PORT },
    },
    logger,
  );
  onShutdown(logger, [() => stack.close()]);
  const key = await developmentApiKey(stack.postgres.pool, env.DEV_KEY_FILE);
  const { registry, ingestion, aggregation } = stack.addresses;
  console.log(
    [
      '',
      'metering is up:',
      `  registry     ${registry}    (metering.v1.MetricRegistryService)`,
      `  ingestion    ${ingestion}    (metering.v1.IngestionService)`,
      `  aggregation  ${aggregation}    (metering.v1.AggregationService)`,
      `  development API key: ${key}`,
      `  try: npx buf curl --protocol grpc --http2-prior-knowledge --list-services http://${registry}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
