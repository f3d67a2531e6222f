import 'reflect-metadata';
import { clickHouseConfig } from '../../../libs/clickhouse/src/standalone';
import { dedupeClaims } from '../../../libs/common/src/config';
import { runMain } from '../../../libs/common/src/main';
import { startServiceProcess } from '../../../libs/common/src/service-process';
import { onShutdown } from '../../../libs/common/src/shutdown';
import { registryCacheTtls } from '../../../libs/contract/src/registry-client';
import { stackEnv } from './config';
import { developmentApiKey } from './dev-key';
import { startStack } from './stack';

/** `npm start`: the whole system in one process, on the embedded stores unless URLs are set. */
async function main(): Promise<void> {
  const env = stackEnv();
  const { tls, observability } = startServiceProcess(env);
  const stack = await startStack({
    host: env.HOST,
    ports: { registry: env.REGISTRY_PORT, ingestion: env.INGESTION_PORT, aggregation: env.AGGREGATION_PORT },
    registryCache: registryCacheTtls(env),
    clickhouse: clickHouseConfig(env),
    postgres: { url: env.DATABASE_URL, dataDir: env.PGLITE_DATA_DIR, embeddedPort: env.PGLITE_PORT },
    observability,
    metrics: { host: env.METRICS_HOST, port: env.METRICS_PORT },
    tls,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    usage: {
      checkDuplicates: env.USAGE_DUPLICATE_CHECK,
      rollupTimings: { marginMs: env.USAGE_ROLLUP_MARGIN_MS, settleMs: env.USAGE_ROLLUP_SETTLE_MS },
    },
    claims:
      dedupeClaims(env) === 'postgres'
        ? { mode: 'postgres', url: env.CLAIMS_DATABASE_URL, leaseMs: env.CLAIM_LEASE_MS }
        : { mode: 'local' },
  });
  onShutdown(observability.logger, (signal) => stack.shutdown(signal));
  const key = await developmentApiKey(stack.postgres.pool, env.DEV_KEY_FILE);
  const { registry, ingestion, aggregation } = stack.listening;
  const scheme = tls ? 'https' : 'http';
  console.log(
    [
      '',
      `metering is up${tls ? ' (TLS)' : ''}:`,
      `  registry     ${registry}    (metering.v1.MetricRegistryService)`,
      `  ingestion    ${ingestion}    (metering.v1.IngestionService)`,
      `  aggregation  ${aggregation}    (metering.v1.AggregationService)`,
      `  metrics      http://${stack.metricsAddress}/metrics`,
      `  development API key: ${key}`,
      `  try: npx buf curl --protocol grpc ${tls ? '' : '--http2-prior-knowledge '}--list-services ${scheme}://${stack.addresses.registry}`,
      '',
    ].join('\n'),
  );
}

runMain(main);
