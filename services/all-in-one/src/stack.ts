import type { INestMicroservice, Logger } from '@nestjs/common';
import {
  createClickHouse,
  describeClickHouse,
  migrateClickHouse,
  type ClickHouseClient,
  type ClickHouseConfig,
} from '../../../libs/clickhouse/src/clickhouse';
import { RegistryClient, type RegistryCacheTtls } from '../../../libs/contract/src/registry-client';
import {
  migratePostgres,
  openPostgres,
  type Postgres,
  type PostgresConfig,
} from '../../../libs/postgres/src/postgres';
import { startAggregation } from '../../aggregation/src/aggregation.app';
import { startIngestion } from '../../ingestion/src/ingestion.app';
import { startRegistry } from '../../registry/src/registry.app';

export interface StackConfig {
  host: string;
  ports: { registry: number; ingestion: number; aggregation: number };
  registryCache: RegistryCacheTtls;
  clickhouse: ClickHouseConfig;
  postgres: PostgresConfig;
  /** Tests only: what ingestion is given in place of the ClickHouse client (fault injection). */
  ingestionStore?: (clickhouse: ClickHouseClient) => ClickHouseClient;
}

export interface Stack {
  postgres: Postgres;
  clickhouse: ClickHouseClient;
  addresses: { registry: string; ingestion: string; aggregation: string };
  close(): Promise<void>;
}

/**
 * All three services in one process — the only way the embedded ClickHouse can serve both
 * ingestion and aggregation — still talking to each other over gRPC, as in production.
 */
export async function startStack(config: StackConfig, logger: Logger): Promise<Stack> {
  const postgres = await openPostgres(config.postgres);
  logger.log(`postgres: ${postgres.description}`);
  await migratePostgres(postgres.pool, (line) => logger.log(line));
  const clickhouse = createClickHouse(config.clickhouse);
  logger.log(`clickhouse: ${describeClickHouse(config.clickhouse)}`);
  await migrateClickHouse(clickhouse, (line) => logger.log(line));

  const local = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const address = (port: number) => `${local}:${port}`;
  const apps: INestMicroservice[] = [await startRegistry(postgres.pool, config.host, config.ports.registry)];
  const registry = new RegistryClient(address(config.ports.registry), config.registryCache);
  const ingestionStore = config.ingestionStore?.(clickhouse) ?? clickhouse;
  apps.push(await startIngestion(ingestionStore, registry, config.host, config.ports.ingestion));
  apps.push(await startAggregation(clickhouse, registry, config.host, config.ports.aggregation));

  return {
    postgres,
    clickhouse,
    addresses: {
      registry: address(config.ports.registry),
      ingestion: address(config.ports.ingestion),
      aggregation: address(config.ports.aggregation),
    },
    close: async () => {
      for (const app of apps.reverse()) await app.close();
      registry.close();
      await clickhouse.close();
      await postgres.close();
    },
  };
}
