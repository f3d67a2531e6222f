import {
  createClickHouse,
  describeClickHouse,
  migrateClickHouse,
  type ClickHouseClient,
  type ClickHouseConfig,
} from '../../../libs/clickhouse/src/clickhouse';
import type { GrpcApp } from '../../../libs/common/src/grpc-app';
import { shutdown, type ShutdownPlan } from '../../../libs/common/src/shutdown';
import { clientCredentials, type TlsConfig } from '../../../libs/common/src/tls';
import { RegistryClient, type RegistryCacheTtls } from '../../../libs/contract/src/registry-client';
import { startMetricsServer, type MetricsServer } from '../../../libs/observability/src/metrics-server';
import type { Observability } from '../../../libs/observability/src/observability';
import {
  instrumentClickHouse,
  instrumentPostgres,
} from '../../../libs/observability/src/store-instrumentation';
import {
  CLAIM_MIGRATIONS,
  migratePostgres,
  openPostgres,
  type Postgres,
  type PostgresConfig,
} from '../../../libs/postgres/src/postgres';
import { startAggregation } from '../../aggregation/src/aggregation.app';
import type { AggregationUsageOptions } from '../../aggregation/src/aggregation.module';
import type { SqlClient } from '../../ingestion/src/claims/claim.repository';
import type { ClaimsSetting } from '../../ingestion/src/claims/claims';
import { startIngestion } from '../../ingestion/src/ingestion.app';
import { startRegistry } from '../../registry/src/registry.app';

export interface StackConfig {
  /** Interface the three gRPC servers bind. */
  host: string;
  ports: { registry: number; ingestion: number; aggregation: number };
  registryCache: RegistryCacheTtls;
  clickhouse: ClickHouseConfig;
  postgres: PostgresConfig;
  observability: Observability;
  /** The Prometheus endpoint; unset: none. */
  metrics?: { host: string; port: number };
  tls?: TlsConfig;
  /** How long in-flight calls may finish at shutdown (ms). */
  shutdownGraceMs?: number;
  /**
   * Who may store a key (DEDUPE_CLAIMS): `local`, or `postgres` on `url` (unset: the stack's own
   * PostgreSQL, embedded or not). Default: local.
   */
  claims?: { mode: 'local' } | { mode: 'postgres'; url?: string; leaseMs: number };
  /** How usage SQL treats transaction_ids (aggregation's UsageOptions). */
  usage?: AggregationUsageOptions;
  /** Tests only: the ports of more ingestion apps on the one ClickHouse, each with its own pipeline. */
  ingestionReplicaPorts?: number[];
  /** Tests only: what ingestion replica `replica` is given in place of the ClickHouse client (fault injection). */
  ingestionStore?: (clickhouse: ClickHouseClient, replica: number) => ClickHouseClient;
  /** Tests only: what replica `replica`'s claim store is given in place of the claims pool (fault injection). */
  claimsStore?: (sql: SqlClient, replica: number) => SqlClient;
}

export interface Stack {
  postgres: Postgres;
  clickhouse: ClickHouseClient;
  /** Where a client on this machine reaches each service (`0.0.0.0` becomes 127.0.0.1). */
  addresses: { registry: string; ingestion: string; aggregation: string };
  /** Every ingestion replica's address; the first is `addresses.ingestion`. */
  ingestionReplicas: string[];
  /** What each server is bound to, as configured (for the banner). */
  listening: { registry: string; ingestion: string; aggregation: string };
  /** `host:port` of /metrics, when started with `metrics`. */
  metricsAddress?: string;
  /** The orderly stop (shutdown.ts): NOT_SERVING, drain within `graceMs`, cut the rest UNAVAILABLE, close the stores. */
  shutdown(reason?: string, graceMs?: number): Promise<void>;
  /** shutdown() with the configured grace. */
  close(): Promise<void>;
}

/**
 * All three services in one process — the only way the embedded ClickHouse can serve both
 * ingestion and aggregation — still talking to each other over gRPC, as in production.
 */
export async function startStack(config: StackConfig): Promise<Stack> {
  const { logger, metrics } = config.observability;
  const postgres = await openPostgres({
    ...config.postgres,
    onIdleError: (error) =>
      logger.warn({ err: error }, 'postgres: idle connection lost (replaced on next use)'),
  });
  instrumentPostgres(postgres.pool, metrics);
  logger.info(`postgres: ${postgres.description}`);
  await migratePostgres(postgres.pool, (line) => logger.info(line));
  const clickhouse = instrumentClickHouse(createClickHouse(config.clickhouse), metrics);
  logger.info(`clickhouse: ${describeClickHouse(config.clickhouse)}`);
  await migrateClickHouse(clickhouse, (line) => logger.info(line));

  const local = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const address = (port: number) => `${local}:${port}`;
  const serve = (port: number) => ({
    host: config.host,
    port,
    observability: config.observability,
    tls: config.tls,
  });
  const ingestionPorts = [config.ports.ingestion, ...(config.ingestionReplicaPorts ?? [])];
  const started: GrpcApp[] = [];
  const replicas: GrpcApp[] = [];
  let registry: RegistryClient | undefined;
  let metricsServer: MetricsServer | undefined;
  let claimsDb: Postgres | undefined;
  const closers = (): ShutdownPlan['closers'] => [
    async () => registry?.close(),
    () => clickhouse.close(),
    async () => claimsDb?.close(),
    () => postgres.close(),
    async () => metricsServer?.close(),
  ];
  try {
    started.push(await startRegistry(postgres.pool, serve(config.ports.registry)));
    registry = new RegistryClient(address(config.ports.registry), config.registryCache, {
      channel: clientCredentials(config.tls),
      metrics,
    });
    let claimsPool: Postgres['pool'] | undefined;
    if (config.claims?.mode === 'postgres') {
      if (config.claims.url) {
        claimsDb = await openPostgres({
          url: config.claims.url,
          dataDir: '',
          onIdleError: (error) =>
            logger.warn({ err: error }, 'claims: idle connection lost (replaced on next use)'),
        });
        instrumentPostgres(claimsDb.pool, metrics);
      }
      claimsPool = claimsDb?.pool ?? postgres.pool;
      await migratePostgres(claimsPool, (line) => logger.info(line), CLAIM_MIGRATIONS);
      logger.info(`claims: ${claimsDb?.description ?? postgres.description}`);
    }
    for (const [replica, port] of ingestionPorts.entries()) {
      const claims: ClaimsSetting =
        config.claims?.mode === 'postgres' && claimsPool
          ? {
              mode: 'postgres',
              sql: config.claimsStore?.(claimsPool, replica) ?? claimsPool,
              leaseMs: config.claims.leaseMs,
            }
          : { mode: 'local' };
      const store = config.ingestionStore?.(clickhouse, replica) ?? clickhouse;
      replicas.push(await startIngestion(store, registry, serve(port), claims));
      if (replica === 0) started.push(replicas[0]);
    }
    started.push(await startAggregation(clickhouse, registry, serve(config.ports.aggregation), config.usage));
    if (config.metrics)
      metricsServer = await startMetricsServer(metrics, config.metrics.host, config.metrics.port);
  } catch (error) {
    await shutdown(
      { apps: [[...started, ...replicas.slice(1)]], graceMs: 0, closers: closers() },
      logger,
      'start-up failed',
    );
    throw error;
  }
  const [registryApp, ingestionApp, aggregationApp] = started;
  const stop = (reason = 'close', graceMs = config.shutdownGraceMs ?? 10_000) =>
    shutdown(
      {
        apps: [[...replicas, aggregationApp], [registryApp]],
        graceMs,
        closers: closers(),
      },
      logger,
      reason,
    );
  return {
    postgres,
    clickhouse,
    addresses: {
      registry: address(config.ports.registry),
      ingestion: address(config.ports.ingestion),
      aggregation: address(config.ports.aggregation),
    },
    ingestionReplicas: ingestionPorts.map(address),
    listening: {
      registry: registryApp.address,
      ingestion: ingestionApp.address,
      aggregation: aggregationApp.address,
    },
    metricsAddress: metricsServer?.address,
    shutdown: stop,
    close: () => stop(),
  };
}
