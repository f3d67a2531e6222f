import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  createClickHouse,
  describeClickHouse,
  migrateClickHouse,
} from '../../../libs/clickhouse/src/clickhouse';
import { clickHouseConfig } from '../../../libs/clickhouse/src/standalone';
import { migratePostgres, openPostgres } from '../../../libs/postgres/src/postgres';
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
  await postgres.close();
  const config = clickHouseConfig(env);
  const clickhouse = createClickHouse(config);
  const chRan = await migrateClickHouse(clickhouse, (line) => logger.log(line));
  logger.log(`${describeClickHouse(config)}: ${chRan.length} migration(s) applied`);
  await clickhouse.close();
}

runMain(main);
