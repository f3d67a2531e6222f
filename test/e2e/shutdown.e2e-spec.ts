// Shutdown during a load, through the same path SIGTERM takes (Stack.shutdown → shutdown.ts):
// every acknowledged event is stored; every call that was not acknowledged got UNAVAILABLE, which
// clients retry, never CANCELLED.
import { status, type ServiceError } from '@grpc/grpc-js';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { HealthClient } from '../support/health';
import { api, at } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('shutdown under load', () => {
  let t: TestStack;
  afterAll(() => t?.stop());

  it('drains, cuts the rest short with UNAVAILABLE, and keeps every acknowledged event', async () => {
    const first = await startTestStack({ registryCacheTtlMs: 60_000 });
    t = first;
    const { apiKey, id } = await first.newOrganization();
    const a = api(first, apiKey);
    await a.createMetric({ code: 'calls', aggregationType: AggregationType.COUNT_AGG });
    // Fault injection at the store boundary: inserts take 300 ms, so calls are in flight at the deadline.
    const clickhouse = first.stack.clickhouse as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >;
    const insert = clickhouse.insert.bind(first.stack.clickhouse);
    clickhouse.insert = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return insert(...args);
    };
    const health = new HealthClient(first.stack.addresses.ingestion);
    const statuses = health.watch('metering.v1.IngestionService');

    const acknowledged: string[] = [];
    const failures: ServiceError[] = [];
    let stopping = false;
    let next = 0;
    const caller = async () => {
      while (!stopping || next < 20) {
        const ids = Array.from({ length: 50 }, () => `tx-${next++}`);
        try {
          const response = await a.ingestBatch(
            ids.map((transactionId) => ({
              transactionId,
              externalSubscriptionId: 's',
              code: 'calls',
              timestamp: at('2026-01-02Z'),
            })),
          );
          for (const r of response.results) if (r.event) acknowledged.push(r.event.transactionId);
        } catch (error) {
          failures.push(error as ServiceError);
          return;
        }
      }
    };
    const load = Array.from({ length: 6 }, caller);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stopping = true;
    await first.stack.shutdown('SIGTERM', 150);
    await Promise.all(load);
    first.clients.close();
    health.close();

    expect(acknowledged.length).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.map((f) => status[f.code])).toEqual(failures.map(() => 'UNAVAILABLE'));
    expect((await statuses).slice(0, 2)).toEqual(['SERVING', 'NOT_SERVING']);

    t = await startTestStack({ reuse: first });
    const rows = await (
      await t.stack.clickhouse.query({
        query: 'SELECT transaction_id FROM events WHERE organization_id = {org:String}',
        query_params: { org: id },
        format: 'JSONEachRow',
      })
    ).json<{ transaction_id: string }>();
    const stored = new Set(rows.map((r) => r.transaction_id));
    expect(acknowledged.filter((tx) => !stored.has(tx))).toEqual([]);
  }, 90_000);
});
