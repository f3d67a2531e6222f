import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  createClickHouse,
  describeClickHouse,
  migrateClickHouse,
} from '../../../libs/clickhouse/src/clickhouse';
import { clickHouseConfig } from '../../../libs/clickhouse/src/standalone';
import { CLAIM_MIGRATIONS, migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
import { dedupeClaims } from '../../../libs/common/src/config';
import { runMain } from '../../../libs/common/src/main';
import { stackEnv } from './config';

/** `npm run migrate`: the same runner the services use at start-up, on both stores. */
async function main(): Promise<void> {
  const env = stackEnv();
  const logger = new Logger('migrate');
  const postgres = await openPostgres({
    url: env.DATABASE_URL,
    dataDir: env.PGLITE_DATA_DIR,
    embeddedPort: 0,
  });
  const pgRan = await migratePostgres(postgres.pool, (line) => logger.log(line));
  logger.log(`${postgres.description}: ${pgRan.length} migration(s) applied`);
  if (dedupeClaims(env) === 'postgres') {
    // The claims table (ingestion's own migrations), on its own database when one is named.
    const claims = env.CLAIMS_DATABASE_URL
      ? await openPostgres({ url: env.CLAIMS_DATABASE_URL, dataDir: '' })
      : postgres;
    const ran = await migratePostgres(claims.pool, (line) => logger.log(line), CLAIM_MIGRATIONS);
    logger.log(`claims ${claims.description}: ${ran.length} migration(s) applied`);
    if (claims !== postgres) await claims.close();
  }
  await postgres.close();
  const config = clickHouseConfig(env);
  const clickhouse = createClickHouse(config);
  const chRan = await migrateClickHouse(clickhouse, (line) => logger.log(line));
  logger.log(`${describeClickHouse(config)}: ${chRan.length} migration(s) applied`);
  await clickhouse.close();
}

runMain(main);
