import {
  createClickHouse,
  describeClickHouse,
  migrateClickHouse,
  type ClickHouseClient,
  type ClickHouseConfig,
} from './clickhouse';
import { StartupError } from '../../observability/src/listen-error';

export interface ClickHouseEnv {
  CLICKHOUSE_URL?: string;
  CLICKHOUSE_USER?: string;
  CLICKHOUSE_PASSWORD?: string;
  CLICKHOUSE_DATABASE?: string;
  CLICKHOUSE_DATA_DIR: string;
}

export function clickHouseConfig(env: ClickHouseEnv): ClickHouseConfig {
  return {
    url: env.CLICKHOUSE_URL,
    user: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
    dataDir: env.CLICKHOUSE_DATA_DIR,
  };
}

/**
 * ClickHouse for a service running alone. Only one process can open an embedded engine's data, so
 * ingestion and aggregation in separate processes need a server (`npm start` runs both in one).
 */
export async function openStandaloneClickHouse(
  service: string,
  env: ClickHouseEnv,
  logger: { info(message: string): void },
): Promise<ClickHouseClient> {
  if (!env.CLICKHOUSE_URL) {
    throw new StartupError(
      `${service}: invalid configuration\n  CLICKHOUSE_URL: required when ${service} runs alone (the embedded engine can be opened by one process only; \`npm start\` runs all services on it)`,
    );
  }
  const config = clickHouseConfig(env);
  const client = createClickHouse(config);
  logger.info(`store: ${describeClickHouse(config)}`);
  await migrateClickHouse(client, (line) => logger.info(line));
  return client;
}
