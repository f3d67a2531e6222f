import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { rocksDbFiles } from '../../libs/testing/src/resources';
import { latency, type Latency } from '../stats';

/** One layout of the key index: lookup latency of 1,000-key batches and its RocksDB files. */
export interface KeyLayoutFigures {
  /** 1,000 keys that are not stored (every new event's lookup). */
  newKeysMs: Latency;
  /** 1,000 random stored keys (retries, duplicates). */
  existingKeysMs: Latency;
  sstFiles: number;
}

export interface KeyIndexFigures {
  keys: number;
  /** `event_keys` as the product writes it now (memtable + compaction, migration 0003). */
  product: KeyLayoutFigures;
  /** The same keys as the old layout wrote them (`optimize_for_bulk_insert = 1`, one file per insert). */
  bulkLayout: KeyLayoutFigures;
}

const BATCH = 1_000;
const RUNS = 20;

async function rows<T>(clickhouse: ClickHouseClient, query: string): Promise<T[]> {
  return (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>();
}

async function layout(
  clickhouse: ClickHouseClient,
  table: string,
  dataDir: string,
  existing: string[][],
  absent: string[][],
): Promise<KeyLayoutFigures> {
  const time = async (batches: string[][]) => {
    const samples: number[] = [];
    for (const keys of batches) {
      const started = performance.now();
      await rows(
        clickhouse,
        `SELECT key, code, timestamp, lago_id FROM ${table} WHERE key IN (${keys.map((k) => `'${k}'`).join(',')})`,
      );
      samples.push(performance.now() - started);
    }
    return latency(samples.slice(2)); // the first two warm the caches
  };
  return {
    newKeysMs: await time(absent),
    existingKeysMs: await time(existing),
    sstFiles: await rocksDbFiles(clickhouse, table, dataDir),
  };
}

/**
 * Key-index lookups on the preloaded table (issue 8: the fix must keep them as fast as before as the
 * table grows): the product's `event_keys` against a copy written the old way, same keys, same run.
 * The copy is dropped afterwards. Keys are generated texts without quotes, so they are inlined (the
 * product's own query passes them as a parameter; the cost measured is RocksDB's).
 */
export async function keyIndexLookups(
  clickhouse: ClickHouseClient,
  dataDir: string,
  organizationId: string,
  log: (line: string) => void,
): Promise<KeyIndexFigures> {
  const [{ n }] = await rows<{ n: string }>(clickhouse, 'SELECT count() AS n FROM event_keys');
  log(`key index: ${Number(n).toLocaleString('en-US')} keys; copying them in the old bulk layout`);
  await clickhouse.command({ query: 'DROP TABLE IF EXISTS event_keys_bulk_layout' });
  await clickhouse.command({
    query: `CREATE TABLE event_keys_bulk_layout (key String, code String, timestamp DateTime64(3, 'UTC'), lago_id UUID)
            ENGINE = EmbeddedRocksDB PRIMARY KEY key SETTINGS optimize_for_bulk_insert = 1`,
  });
  try {
    await clickhouse.command({ query: 'INSERT INTO event_keys_bulk_layout SELECT * FROM event_keys' });
    const sample = (
      await rows<{ key: string }>(
        clickhouse,
        `SELECT key FROM event_keys WHERE rand() % 1000 < 5 LIMIT ${BATCH * (RUNS + 2)}`,
      )
    ).map((r) => r.key);
    const existing = Array.from({ length: RUNS + 2 }, (_, i) => sample.slice(i * BATCH, (i + 1) * BATCH));
    const absent = Array.from({ length: RUNS + 2 }, () =>
      Array.from({ length: BATCH }, () => `${organizationId}:3:sub${randomUUID()}`),
    );
    const product = await layout(clickhouse, 'event_keys', dataDir, existing, absent);
    const bulkLayout = await layout(clickhouse, 'event_keys_bulk_layout', dataDir, existing, absent);
    log(
      `key index: 1,000 new keys p50 ${product.newKeysMs.p50} ms (old layout ${bulkLayout.newKeysMs.p50}), 1,000 stored keys p50 ${product.existingKeysMs.p50} ms (old layout ${bulkLayout.existingKeysMs.p50})`,
    );
    return { keys: Number(n), product, bulkLayout };
  } finally {
    await clickhouse.command({ query: 'DROP TABLE IF EXISTS event_keys_bulk_layout' });
  }
}
