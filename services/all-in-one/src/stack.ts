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
  migratePostgres,
  openPostgres,
  type Postgres,
  type PostgresConfig,
} from '../../../libs/postgres/src/postgres';
import { startAggregation } from '../../aggregation/src/aggregation.app';
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
  /** Tests only: what ingestion is given in place of the ClickHouse client (fault injection). */
  ingestionStore?: (clickhouse: ClickHouseClient) => ClickHouseClient;
}

export interface Stack {
  postgres: Postgres;
  clickhouse: ClickHouseClient;
  /** Where a client on this machine reaches each service (`0.0.0.0` becomes 127.0.0.1). */
  addresses: { registry: string; ingestion: string; aggregation: string };
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
  const started: GrpcApp[] = [];
  let registry: RegistryClient | undefined;
  let metricsServer: MetricsServer | undefined;
  const closers = (): ShutdownPlan['closers'] => [
    async () => registry?.close(),
    () => clickhouse.close(),
    () => postgres.close(),
    async () => metricsServer?.close(),
  ];
  try {
    started.push(await startRegistry(postgres.pool, serve(config.ports.registry)));
    registry = new RegistryClient(address(config.ports.registry), config.registryCache, {
      channel: clientCredentials(config.tls),
      metrics,
    });
    const ingestionStore = config.ingestionStore?.(clickhouse) ?? clickhouse;
    started.push(await startIngestion(ingestionStore, registry, serve(config.ports.ingestion)));
    started.push(await startAggregation(clickhouse, registry, serve(config.ports.aggregation)));
    if (config.metrics)
      metricsServer = await startMetricsServer(metrics, config.metrics.host, config.metrics.port);
  } catch (error) {
    await shutdown({ apps: [started], graceMs: 0, closers: closers() }, logger, 'start-up failed');
    throw error;
  }
  const [registryApp, ingestionApp, aggregationApp] = started;
  const stop = (reason = 'close', graceMs = config.shutdownGraceMs ?? 10_000) =>
    shutdown(
      { apps: [[ingestionApp, aggregationApp], [registryApp]], graceMs, closers: closers() },
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
