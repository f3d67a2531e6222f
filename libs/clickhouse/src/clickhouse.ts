import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { mkdirSync } from 'node:fs';
import { repoPath } from '../../common/src/repo-path';
import { ConnectionPool } from './connection-pool';
import { migrate, readMigrations, type Migration, type MigrationTarget } from '../../common/src/migrations';

export type { ClickHouseClient } from '@clickhouse/client';

export interface ClickHouseConfig {
  /** A server over HTTP; unset: the embedded engine (chdb) in this process. */
  url?: string;
  user?: string;
  password?: string;
  database?: string;
  /** Embedded engine data directory. */
  dataDir: string;
}

/**
 * Client-level settings only: on the chdb connection per-call settings become session SETs that
 * stay in force for later calls (docs/STACK.md). Without the two quote settings, Decimals and
 * UInt64 come back as JSON numbers and lose digits.
 */
const SETTINGS: ClickHouseSettings = {
  output_format_json_quote_decimals: 1,
  output_format_json_quote_64bit_integers: 1,
};

/** Embedded-engine connections (connection-pool.ts): unary ingest ~630 events/s on 2, ~760 on 4. */
const EMBEDDED_CONNECTIONS = 4;

/** The only way the product opens ClickHouse: a server when CLICKHOUSE_URL is set, else chdb. */
export function createClickHouse(config: ClickHouseConfig): ClickHouseClient {
  if (config.url) {
    return createClient({
      url: config.url,
      username: config.user,
      password: config.password,
      database: config.database,
      clickhouse_settings: SETTINGS,
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  // Loaded only here: production images talk to a server and leave chdb's 566 MB engine out.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/connection');
  const connections = Array.from({ length: EMBEDDED_CONNECTIONS }, () =>
    createChdbConnection({ path: config.dataDir }),
  );
  // Two copies of the settings class (chdb's and the client's) need the cast.
  const connection = new ConnectionPool(connections) as never;
  return createClient({ connection, clickhouse_settings: SETTINGS } as never);
}

export function describeClickHouse(config: ClickHouseConfig): string {
  return config.url
    ? `ClickHouse server ${new URL(config.url).host}`
    : `embedded ClickHouse (chdb) in ${config.dataDir}`;
}

class ClickHouseMigrationTarget implements MigrationTarget {
  readonly store = 'clickhouse';
  constructor(private readonly client: ClickHouseClient) {}

  async appliedVersions(): Promise<Set<string>> {
    await this.client.command({
      query: `CREATE TABLE IF NOT EXISTS schema_migrations (version String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
              ENGINE = MergeTree ORDER BY version`,
    });
    const rows = await (
      await this.client.query({ query: 'SELECT version FROM schema_migrations', format: 'JSONEachRow' })
    ).json<{ version: string }>();
    return new Set(rows.map((r) => r.version));
  }

  async apply(migration: Migration): Promise<void> {
    // ClickHouse has no DDL transactions: every statement is written to be re-runnable (IF NOT EXISTS).
    for (const query of migration.statements) await this.client.command({ query });
    await this.client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version }],
      format: 'JSONEachRow',
    });
  }
}

export function migrateClickHouse(client: ClickHouseClient, log?: (line: string) => void): Promise<string[]> {
  return migrate(
    new ClickHouseMigrationTarget(client),
    readMigrations(repoPath('libs/clickhouse/migrations')),
    log,
  );
}
