import { status, type ServiceError } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  EventResult_Status,
  IngestEventRequest,
  IngestEventsRequest,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * SPEC §2.2 rule 3 with two ingestion processes on one ClickHouse (issue 9, part 2): two ingestion
 * apps, each with its own pipeline (KeyLedger, claim store instance, owner id), over the one
 * embedded ClickHouse and the shared PostgreSQL claim. `DEDUPE_CLAIMS=local npx jest
 * test/e2e/replicas` runs the races on the local claim instead, and they fail: both replicas accept.
 */
const CLAIMS = process.env.DEDUPE_CLAIMS === 'local' ? 'local' : 'postgres';
const LEASE_MS = 1500;

const event = (transactionId: string, v: number): Partial<EventInput> => ({
  transactionId,
  externalSubscriptionId: 's',
  code: 'v',
  timestamp: at('2026-01-05Z'),
  properties: { v },
});

describe(`two ingestion replicas on one ClickHouse (${CLAIMS} claims)`, () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      claims: CLAIMS,
      claimLeaseMs: LEASE_MS,
      ingestionReplicas: 2,
      faults: true,
    });
  }, 60_000);
  afterEach(() => {
    t.faults?.reset();
    t.claimFaults?.reset();
  });
  afterAll(() => t?.stop());

  async function setup() {
    const { id, apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'v', aggregationType: AggregationType.SUM_AGG, fieldName: 'v' });
    const ingest = (replica: number, e: Partial<EventInput>) =>
      unary(
        t.replicas[replica].ingestion,
        'ingestEvent',
        IngestEventRequest.fromPartial({ event: e }),
        apiKey,
      );
    const ingestBatch = (replica: number, events: Partial<EventInput>[]) =>
      unary(
        t.replicas[replica].ingestion,
        'ingestEvents',
        IngestEventsRequest.fromPartial({ events }),
        apiKey,
      );
    /** Rows stored per transaction id, read from ClickHouse itself. */
    const rows = async (): Promise<Map<string, number>> => {
      const result = await t.stack.clickhouse.query({
        query: `SELECT transaction_id, count() AS n FROM events WHERE organization_id = {org:String} GROUP BY transaction_id`,
        query_params: { org: id },
        format: 'JSONEachRow',
      });
      const list = await result.json<{ transaction_id: string; n: string }>();
      return new Map(list.map((r) => [r.transaction_id, Number(r.n)]));
    };
    const usage = () => a.usage({ externalSubscriptionId: 's', code: 'v', ...JAN });
    return { ingest, ingestBatch, rows, usage };
  }

  it('50 sends of one key across both replicas, different payloads: one ACCEPTED, 49 DUPLICATE of it, counted once', async () => {
    const { ingest, rows, usage } = await setup();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ingest(i % 2, event('race', i + 1))),
    );
    const accepted = answers.filter((r) => !r.duplicate);
    expect(accepted).toHaveLength(1);
    const original = accepted[0].event!;
    for (const r of answers.filter((r) => r.duplicate)) {
      expect(r.event).toMatchObject({ lagoId: original.lagoId, properties: original.properties });
    }
    expect(await rows()).toEqual(new Map([['race', 1]]));
    const u = await usage();
    expect(u.eventsCount).toBe('1');
    expect(u.value).toBe(String(original.properties!.v));
  });

  it('the same 200-event batch on both replicas at once: each key ACCEPTED once overall, stored once', async () => {
    const { ingestBatch, rows, usage } = await setup();
    const events = (offset: number) => Array.from({ length: 200 }, (_, i) => event(`b-${i}`, offset + 1));
    const [first, second] = await Promise.all([ingestBatch(0, events(0)), ingestBatch(1, events(1))]);
    for (let i = 0; i < 200; i++) {
      const statuses = [first.results[i].status, second.results[i].status].sort();
      expect({ i, statuses }).toEqual({
        i,
        statuses: [EventResult_Status.ACCEPTED, EventResult_Status.DUPLICATE],
      });
      expect(first.results[i].event!.lagoId).toBe(second.results[i].event!.lagoId);
    }
    const stored = await rows();
    expect(stored.size).toBe(200);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect((await usage()).eventsCount).toBe('200');
  });

  // Crash points of postgres-claim-store.ts, made with faults on replica 0; the retry goes to replica 1.
  (CLAIMS === 'postgres' ? describe : describe.skip)('kill points (faults on replica 0)', () => {
    const unavailable = async (call: Promise<unknown>) => {
      const error = await call.then(
        () => null,
        (e: ServiceError) => e,
      );
      expect(error?.code).toBe(status.UNAVAILABLE);
    };

    it('after the claim, before the insert (insert and its check fail): the other replica stores it once the lease ends', async () => {
      const { ingest, rows, usage } = await setup();
      t.faults!.failAt('insert');
      t.faults!.failAt('lookup');
      await unavailable(ingest(0, event('k1', 5)));
      const started = performance.now();
      const retry = await ingest(1, event('k1', 7));
      expect(retry.duplicate).toBe(false);
      expect(performance.now() - started).toBeGreaterThan(LEASE_MS / 2);
      const again = await ingest(0, event('k1', 9));
      expect(again).toMatchObject({ duplicate: true, event: { lagoId: retry.event!.lagoId } });
      expect(await rows()).toEqual(new Map([['k1', 1]]));
      expect((await usage()).value).toBe('7');
    });

    it('the insert failed and ClickHouse says it is not there: the claim is freed at once', async () => {
      const { ingest, rows } = await setup();
      t.faults!.failAt('insert');
      await unavailable(ingest(0, event('k2', 5)));
      const started = performance.now();
      const retry = await ingest(1, event('k2', 7));
      expect(retry.duplicate).toBe(false);
      expect(performance.now() - started).toBeLessThan(LEASE_MS / 2);
      expect(await rows()).toEqual(new Map([['k2', 1]]));
    });

    it('after the insert, before marking stored (the answer lost, the check failed): the retry is DUPLICATE of the stored row', async () => {
      const { ingest, rows, usage } = await setup();
      t.faults!.failAt('insert', 1, { after: true });
      t.faults!.failAt('lookup');
      await unavailable(ingest(0, event('k3', 5)));
      const retry = await ingest(1, event('k3', 7));
      expect(retry.duplicate).toBe(true);
      expect(retry.event!.properties).toEqual({ v: 5 });
      const again = await ingest(0, event('k3', 9));
      expect(again).toMatchObject({ duplicate: true, event: { lagoId: retry.event!.lagoId } });
      expect(await rows()).toEqual(new Map([['k3', 1]]));
      expect((await usage()).value).toBe('5');
    });

    it('the insert landed but its answer was lost, the check works: marked stored, the retry is DUPLICATE at once', async () => {
      const { ingest, rows } = await setup();
      t.faults!.failAt('insert', 1, { after: true });
      await unavailable(ingest(0, event('k4', 5)));
      const started = performance.now();
      const retry = await ingest(1, event('k4', 7));
      expect(retry).toMatchObject({ duplicate: true, event: { properties: { v: 5 } } });
      expect(performance.now() - started).toBeLessThan(LEASE_MS / 2);
      expect(await rows()).toEqual(new Map([['k4', 1]]));
    });

    it('marking stored failed: ACCEPTED (it is stored), and the other replica answers DUPLICATE of it after the lease', async () => {
      const { ingest, rows, usage } = await setup();
      t.claimFaults!.failAt('mark-stored');
      const first = await ingest(0, event('k5', 5));
      expect(first.duplicate).toBe(false);
      const retry = await ingest(1, event('k5', 7));
      expect(retry).toMatchObject({ duplicate: true, event: { lagoId: first.event!.lagoId } });
      expect(await rows()).toEqual(new Map([['k5', 1]]));
      expect((await usage()).value).toBe('5');
    });

    it('the claim store is down: UNAVAILABLE, nothing stored; the retry stores it once', async () => {
      const { ingest, rows } = await setup();
      t.claimFaults!.failAt('claim');
      await unavailable(ingest(0, event('k6', 5)));
      expect(await rows()).toEqual(new Map());
      expect((await ingest(0, event('k6', 6))).duplicate).toBe(false);
      expect((await ingest(1, event('k6', 7))).duplicate).toBe(true);
      expect(await rows()).toEqual(new Map([['k6', 1]]));
    });
  });
});
