import { clickHouseConfig } from '../../../libs/clickhouse/src/standalone';
import { createClickHouse, describeClickHouse } from '../../../libs/clickhouse/src/clickhouse';
import { runMain } from '../../../libs/common/src/main';
import { StartupError } from '../../../libs/observability/src/listen-error';
import { aggregationConfig } from './config';
import { DuplicateAudit } from './duplicate-audit';

/**
 * `npm run audit:duplicates`: lists idempotency keys stored more than once (DuplicateAudit) in the
 * ClickHouse of CLICKHOUSE_URL, or in the embedded store of CLICKHOUSE_DATA_DIR when `npm start`
 * does not hold it. Exit status 0 when there are none, 3 when there are (for scripts).
 */
/** The store to audit; a clear message when `npm start` holds the embedded one. */
function open(config: ReturnType<typeof aggregationConfig>) {
  try {
    return createClickHouse(clickHouseConfig(config));
  } catch (error) {
    if (
      !config.CLICKHOUSE_URL &&
      /Cannot lock file|already running|Failed to create connection/.test((error as Error).message)
    )
      throw new StartupError(
        `audit:duplicates: the embedded ClickHouse in ${config.CLICKHOUSE_DATA_DIR} is open in a running \`npm start\` (one process at a time). Its single writer claims every key, so it cannot hold one twice; to audit it anyway, stop \`npm start\` first.`,
      );
    throw error;
  }
}

async function main(): Promise<void> {
  const config = aggregationConfig();
  const clickhouse = open(config);
  try {
    console.error(`auditing ${describeClickHouse(clickHouseConfig(config))}: one pass over every key…`);
    const started = Date.now();
    const { keys, total } = await new DuplicateAudit(clickhouse).find();
    for (const k of keys)
      console.log(`${k.organizationId}\t${k.externalSubscriptionId}\t${k.transactionId}\t${k.copies} copies`);
    console.error(
      total === 0
        ? `no key is stored twice (${Date.now() - started} ms)`
        : `${total} key(s) stored more than once${total > keys.length ? ` (first ${keys.length} listed)` : ''}; set USAGE_DUPLICATE_CHECK=true on the aggregation service until they are removed`,
    );
    if (total > 0) process.exitCode = 3;
  } finally {
    await clickhouse.close();
  }
}

runMain(main);
