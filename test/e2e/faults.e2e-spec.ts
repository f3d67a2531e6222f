import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer } from '../../libs/testing/src/clients';
import type { StoreOperation } from '../../libs/testing/src/faulty-clickhouse';
import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  EventResult_Status,
  IngestEventsRequest,
  type IngestEventsResponse,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * A store failure at each ClickHouse call of ingestion, on each ingest RPC, with several calls in
 * flight (issue 8): the process keeps serving, the failed calls get UNAVAILABLE, every acknowledged
 * event is stored, and a retry of everything stores each event exactly once. Jest fails the file on
 * an unhandled rejection, which is what ended the process before (StreamEvents).
 */
const OPERATIONS: StoreOperation[] = ['key-index', 'lookup', 'insert'];

const event = (transactionId: string): Partial<EventInput> => ({
  transactionId,
  externalSubscriptionId: 's',
  code: 'n',
  timestamp: at('2026-01-05Z'),
  properties: { v: 1 },
});

interface StreamOutcome {
  responses: IngestEventsResponse[];
  error: ServiceError | null;
}

/** Writes every request at once on one StreamEvents call; resolves with what came back. */
function stream(t: TestStack, apiKey: string, requests: IngestEventsRequest[]): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const call = t.clients.ingestion.streamEvents(bearer(apiKey));
    const responses: IngestEventsResponse[] = [];
    call.on('data', (r: IngestEventsResponse) => responses.push(r));
    call.on('error', (error: ServiceError) => resolve({ responses, error }));
    call.on('end', () => resolve({ responses, error: null }));
    for (const r of requests) call.write(r);
    call.end();
  });
}

describe('store failures during ingestion', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ faults: true });
  }, 60_000);
  afterEach(() => t.faults!.reset());
  afterAll(() => t?.stop());

  /** A fresh organization with a COUNT metric and five events stored before the fault. */
  async function setup() {
    const { id, apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'n', aggregationType: AggregationType.COUNT_AGG });
    await a.ingestBatch(['pre-0', 'pre-1', 'pre-2', 'pre-3', 'pre-4'].map(event));
    /** Stored rows per transaction id, read from ClickHouse itself. */
    const stored = async (): Promise<Map<string, number>> => {
      const rows = await (
        await t.stack.clickhouse.query({
          query: `SELECT transaction_id, count() AS n FROM events WHERE organization_id = {org:String} GROUP BY transaction_id`,
          query_params: { org: id },
          format: 'JSONEachRow',
        })
      ).json<{ transaction_id: string; n: string }>();
      return new Map(rows.map((r) => [r.transaction_id, Number(r.n)]));
    };
    /** After the retry of every key: each stored exactly once, and usage counts each once. */
    const expectEachOnce = async (keys: string[]) => {
      const rows = await stored();
      for (const key of keys) expect({ key, rows: rows.get(key) }).toEqual({ key, rows: 1 });
      const usage = await a.usage({ externalSubscriptionId: 's', code: 'n', ...JAN });
      expect(usage.value).toBe(String(rows.size));
    };
    return { a, apiKey, stored, expectEachOnce };
  }

  describe.each(OPERATIONS)('when the %s call fails', (operation) => {
    it('IngestEvent: concurrent calls get their answer or UNAVAILABLE; a retry counts each once', async () => {
      const { a, stored, expectEachOnce } = await setup();
      const keys = [...Array.from({ length: 10 }, (_, i) => `new-${i}`), 'pre-0', 'pre-1'];
      t.faults!.failAt(operation);
      const results = await Promise.allSettled(keys.map((k) => a.ingest(event(k))));
      expect(t.faults!.failures[operation]).toBeGreaterThan(0);

      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(status[(f.reason as ServiceError).code]).toBe('UNAVAILABLE');
      const rows = await stored();
      results.forEach((r, i) => {
        if (r.status === 'fulfilled')
          expect({ key: keys[i], rows: rows.get(keys[i]) }).toEqual({ key: keys[i], rows: 1 });
      });

      const retried = await Promise.all(keys.map((k) => a.ingest(event(k))));
      retried.forEach((r, i) => expect(r.event?.transactionId).toBe(keys[i]));
      await expectEachOnce(keys);
    });

    it('IngestEvents: concurrent batches get their results or UNAVAILABLE; a retry counts each once', async () => {
      const { a, stored, expectEachOnce } = await setup();
      const batches = Array.from({ length: 4 }, (_, b) => [
        ...Array.from({ length: 25 }, (_, i) => `b${b}-${i}`),
        `pre-${b}`,
      ]);
      t.faults!.failAt(operation);
      const results = await Promise.allSettled(batches.map((keys) => a.ingestBatch(keys.map(event))));
      expect(t.faults!.failures[operation]).toBeGreaterThan(0);

      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) expect(status[(f.reason as ServiceError).code]).toBe('UNAVAILABLE');
      const rows = await stored();
      for (const r of results) {
        if (r.status !== 'fulfilled') continue;
        for (const result of r.value.results) {
          expect(result.status).not.toBe(EventResult_Status.REJECTED);
          expect(rows.get(result.event!.transactionId)).toBe(1);
        }
      }

      for (const keys of batches) await a.ingestBatch(keys.map(event));
      await expectEachOnce(batches.flat());
    });

    it('StreamEvents with several requests in flight: ends UNAVAILABLE after the answered ones; a retry counts each once', async () => {
      const { apiKey, stored, expectEachOnce } = await setup();
      const requests = Array.from({ length: 6 }, (_, r) => [
        ...Array.from({ length: 20 }, (_, i) => `r${r}-${i}`),
        ...(r >= 2 ? [`pre-${r - 2}`] : []),
      ]);
      // Not the first call: the failure lands while later requests are already in the pipeline.
      t.faults!.failAt(operation, operation === 'lookup' ? 1 : 2);
      const outcome = await stream(
        t,
        apiKey,
        requests.map((keys) => IngestEventsRequest.fromPartial({ events: keys.map(event) })),
      );
      expect(t.faults!.failures[operation]).toBe(1);

      expect(outcome.error && status[outcome.error.code]).toBe('UNAVAILABLE');
      expect(outcome.responses.length).toBeLessThan(requests.length);
      const rows = await stored();
      outcome.responses.forEach((response, r) => {
        expect(response.results.map((x) => x.event?.transactionId)).toEqual(requests[r]);
        for (const result of response.results) expect(rows.get(result.event!.transactionId)).toBe(1);
      });

      // The client resends what was not answered, on a new stream.
      const again = await stream(
        t,
        apiKey,
        requests
          .slice(outcome.responses.length)
          .map((keys) => IngestEventsRequest.fromPartial({ events: keys.map(event) })),
      );
      expect(again.error).toBeNull();
      await expectEachOnce(requests.flat());
    });
  });

  it('keeps serving afterwards', async () => {
    const { a } = await setup();
    expect((await a.ingest(event('after'))).duplicate).toBe(false);
  });
});
