import 'reflect-metadata';
import { openStandaloneClickHouse } from '../../../libs/clickhouse/src/standalone';
import { runMain } from '../../../libs/common/src/main';
import { serveUntilSignal, startServiceProcess } from '../../../libs/common/src/service-process';
import { clientCredentials } from '../../../libs/common/src/tls';
import { RegistryClient, registryCacheTtls } from '../../../libs/contract/src/registry-client';
import {
  instrumentClickHouse,
  instrumentPostgres,
} from '../../../libs/observability/src/store-instrumentation';
import { dedupeClaims } from '../../../libs/common/src/config';
import { CLAIM_MIGRATIONS, migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import type { ClaimsSetting } from './claims/claims';
import { ingestionConfig } from './config';
import { startIngestion } from './ingestion.app';

/** `npm run start:ingestion`: ingestion alone, on a ClickHouse server (CLICKHOUSE_URL). */
async function main(): Promise<void> {
  const config = ingestionConfig();
  const service = startServiceProcess(config);
  const { tls, observability } = service;
  const { logger, metrics } = observability;
  const clickhouse = instrumentClickHouse(
    await openStandaloneClickHouse('ingestion', config, logger),
    metrics,
  );
  // The claim shared with every other ingestion process (DEDUPE_CLAIMS; config.ts requires its URL).
  const claimsDb =
    dedupeClaims(config) === 'postgres'
      ? await openPostgres({
          url: config.CLAIMS_DATABASE_URL ?? config.DATABASE_URL,
          dataDir: '',
          onIdleError: (error) =>
            logger.warn({ err: error }, 'claims: idle connection lost (replaced on next use)'),
        })
      : undefined;
  let claims: ClaimsSetting = { mode: 'local' };
  if (claimsDb) {
    instrumentPostgres(claimsDb.pool, metrics);
    await migratePostgres(claimsDb.pool, (line) => logger.info(line), CLAIM_MIGRATIONS);
    logger.info(`claims: ${claimsDb.description}, lease ${config.CLAIM_LEASE_MS} ms`);
    claims = { mode: 'postgres', sql: claimsDb.pool, leaseMs: config.CLAIM_LEASE_MS };
  }
  const registry = new RegistryClient(config.REGISTRY_ADDRESS, registryCacheTtls(config), {
    channel: clientCredentials(tls),
    metrics,
  });
  const app = await startIngestion(
    clickhouse,
    registry,
    {
      host: config.INGESTION_HOST,
      port: config.INGESTION_PORT,
      observability,
      tls,
    },
    claims,
  );
  await serveUntilSignal(app, service, config, [
    async () => registry.close(),
    () => clickhouse.close(),
    async () => claimsDb?.close(),
  ]);
}

runMain(main);
