import path from 'node:path';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { resourceSnapshot, type ResourceSnapshot } from '../../libs/testing/src/resources';
import { api, at, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** One IngestEvent at a time: every call is an insert of its own, the worst case for the stores. */
const WARM_UP = 500;
const CALLS = 1_500;

/**
 * Runs for months (issue 8): thousands of small inserts through the real API must leave open
 * descriptors, key-index files and `events` parts bounded. Before migration 0003 the key index kept
 * one RocksDB file and one descriptor per insert (here: +1,500 of each). The engine also holds /proc
 * files open for each of its threads (query statistics); those follow its thread pools, which start
 * threads on the first merges and keep them, so they are bounded through the thread count.
 */
describe('soak: many small inserts', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  it(`keeps descriptors, key-index files and event parts bounded over ${CALLS} one-event inserts`, async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'calls', aggregationType: AggregationType.COUNT_AGG });
    const dataDir = path.join(t.dir, 'clickhouse');
    const send = (i: number) =>
      a.ingest({
        transactionId: `soak-${i}`,
        externalSubscriptionId: `sub-${i % 7}`,
        code: 'calls',
        timestamp: at('2026-01-15Z'),
        properties: { n: i },
      });
    for (let i = 0; i < WARM_UP; i++) await send(i);
    const before: ResourceSnapshot = await resourceSnapshot(t.stack.clickhouse, dataDir);
    for (let i = WARM_UP; i < WARM_UP + CALLS; i++) await send(i);
    const after = await resourceSnapshot(t.stack.clickhouse, dataDir);
    process.stdout.write(`soak: before ${JSON.stringify(before)}\nsoak: after  ${JSON.stringify(after)}\n`);

    // Fixed bounds, far below one per insert.
    expect(after.keyIndexFiles).toBeLessThanOrEqual(20);
    expect(after.storeDescriptors - before.storeDescriptors).toBeLessThan(50);
    const other = (s: ResourceSnapshot) => s.descriptors - s.procDescriptors;
    expect(other(after) - other(before)).toBeLessThan(50);
    expect(after.threads).toBeLessThan(800); // jest may have run other engines in this process first
    // At most three statistics files per engine thread (io, stat, schedstat), opened on a thread's first query.
    expect(after.procDescriptors).toBeLessThanOrEqual(3 * after.threads + 50);
    expect(after.eventParts).toBeLessThan(100);

    // And nothing was lost on the way: every call counted once.
    let total = 0;
    for (let s = 0; s < 7; s++) {
      const usage = await a.usage({ externalSubscriptionId: `sub-${s}`, code: 'calls', ...JAN });
      total += Number(usage.value);
    }
    expect(total).toBe(WARM_UP + CALLS);
  }, 300_000);
});
