import { status } from '@grpc/grpc-js';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { EventResult_Status } from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('IngestionService', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  async function org() {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'gb', aggregationType: AggregationType.SUM_AGG, fieldName: 'gb' });
    return a;
  }

  it('counts one transaction id sent 50 times at once with different payloads once: the first accepted wins', async () => {
    const a = await org();
    const calls = Array.from({ length: 50 }, (_, i) =>
      a.ingest({
        transactionId: 'same',
        externalSubscriptionId: 's',
        code: 'gb',
        timestamp: at('2026-01-10Z'),
        properties: { gb: i + 1 },
      }),
    );
    const responses = await Promise.all(calls);
    const accepted = responses.filter((r) => !r.duplicate);
    expect(accepted).toHaveLength(1);
    const original = accepted[0].event!;
    for (const r of responses) expect(r.event).toEqual(original);
    const usage = await a.usage({ externalSubscriptionId: 's', code: 'gb', ...JAN });
    expect(usage).toMatchObject({ value: String(original.properties!.gb), eventsCount: '1' });
  });

  it('answers a later duplicate with the original event and never changes usage', async () => {
    const a = await org();
    const first = await a.ingest({
      transactionId: 't1',
      externalSubscriptionId: 's',
      code: 'gb',
      timestamp: at('2026-01-10Z'),
      properties: { gb: '1.5' },
    });
    const again = await a.ingest({
      transactionId: 't1',
      externalSubscriptionId: 's',
      code: 'other',
      timestamp: at('2026-01-20Z'),
      properties: { gb: '99' },
    });
    expect(again).toMatchObject({ duplicate: true, event: first.event });
    const other = await a.ingest({
      transactionId: 't1',
      externalSubscriptionId: 's2',
      code: 'gb',
      timestamp: at('2026-01-10Z'),
      properties: { gb: 2 },
    });
    expect(other.duplicate).toBe(false);
    expect((await a.usage({ externalSubscriptionId: 's', code: 'gb', ...JAN })).value).toBe('1.5');
  });

  it('returns per-event results for a batch, in order: valid events stored, first of a key wins', async () => {
    const a = await org();
    const { results } = await a.ingestBatch(
      [
        {
          transactionId: 'b1',
          externalSubscriptionId: 's',
          code: 'gb',
          timestamp: at('2026-01-02Z'),
          properties: { gb: 1 },
        },
        { transactionId: '', externalSubscriptionId: 's', code: 'gb' },
        {
          transactionId: 'b1',
          externalSubscriptionId: 's',
          code: 'gb',
          timestamp: at('2026-01-03Z'),
          properties: { gb: 5 },
        },
        {
          transactionId: 'b2',
          externalSubscriptionId: 's',
          code: 'gb',
          timestamp: at('2026-01-04Z'),
          properties: { gb: 'lots' },
        },
        { transactionId: 'b3', externalSubscriptionId: 's', code: 'nometric', timestamp: at('2026-01-04Z') },
      ],
      true,
    );
    expect(results.map((r) => [r.index, r.status])).toEqual([
      [0, EventResult_Status.ACCEPTED],
      [1, EventResult_Status.REJECTED],
      [2, EventResult_Status.DUPLICATE],
      [3, EventResult_Status.ACCEPTED],
      [4, EventResult_Status.ACCEPTED],
    ]);
    expect(results[1].error).toBe('event.transaction_id: required');
    expect(results[2].event?.properties).toEqual({ gb: 1 });
    expect(results[3].warnings).toEqual(['unknown_subscription', 'invalid_aggregation_property']);
    expect(results[4].warnings).toEqual(['unknown_subscription', 'unknown_metric_code']);
    expect(await a.usage({ externalSubscriptionId: 's', code: 'gb', ...JAN })).toMatchObject({
      value: '1',
      eventsCount: '1',
    });
  });

  it('rejects a batch over 10,000 events whole, storing nothing', async () => {
    const a = await org();
    const events = Array.from({ length: 10_001 }, (_, i) => ({
      transactionId: `x${i}`,
      externalSubscriptionId: 's',
      code: 'gb',
      timestamp: at('2026-01-02Z'),
      properties: { gb: 1 },
    }));
    await expectError(
      a.ingestBatch(events),
      status.INVALID_ARGUMENT,
      'events: at most 10000 per request, got 10001',
    );
    expect((await a.usage({ externalSubscriptionId: 's', code: 'gb', ...JAN })).eventsCount).toBe('0');
  });

  it('resolves a customer to its one active subscription, and says why it cannot', async () => {
    const a = await org();
    await a.upsertSubscription({
      externalId: 'old',
      externalCustomerId: 'cus',
      startedAt: at('2025-01-01Z'),
      terminatedAt: at('2026-01-01Z'),
    });
    await a.upsertSubscription({
      externalId: 'new',
      externalCustomerId: 'cus',
      startedAt: at('2026-01-01Z'),
    });
    const r = await a.ingest({
      transactionId: 'c1',
      externalCustomerId: 'cus',
      code: 'gb',
      timestamp: at('2026-01-05Z'),
      properties: { gb: 3 },
    });
    expect(r.event).toMatchObject({ externalSubscriptionId: 'new', externalCustomerId: 'cus' });
    expect(r.event!.lagoSubscriptionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.warnings).toEqual([]);
    await expectError(
      a.ingest({ transactionId: 'c2', externalCustomerId: 'cus', code: 'gb', timestamp: at('2024-06-01Z') }),
      status.FAILED_PRECONDITION,
      'has no subscription active',
    );
    await a.upsertSubscription({
      externalId: 'extra',
      externalCustomerId: 'cus',
      startedAt: at('2026-01-01Z'),
    });
    await expectError(
      a.ingest({ transactionId: 'c3', externalCustomerId: 'cus', code: 'gb', timestamp: at('2026-01-05Z') }),
      status.FAILED_PRECONDITION,
      /has 2 subscriptions active.*"new", "extra"/,
    );
  });

  it('rejects invalid events with INVALID_ARGUMENT naming the field', async () => {
    const a = await org();
    const base = { transactionId: 'v', externalSubscriptionId: 's', code: 'gb' };
    await expectError(
      a.ingest({ ...base, transactionId: '' }),
      status.INVALID_ARGUMENT,
      'event.transaction_id: required',
    );
    await expectError(a.ingest({ ...base, code: '' }), status.INVALID_ARGUMENT, 'event.code: required');
    await expectError(
      a.ingest({ ...base, timestamp: at('1969-12-31T23:59:59Z') }),
      status.INVALID_ARGUMENT,
      'event.timestamp',
    );
    await expectError(
      a.ingest({ ...base, properties: { big: 'x'.repeat(33_000) } }),
      status.INVALID_ARGUMENT,
      'event.properties',
    );
    await expectError(
      a.ingest({ ...base, preciseTotalAmountCents: 'ten' }),
      status.INVALID_ARGUMENT,
      'event.precise_total_amount_cents',
    );
    await expectError(
      a.ingest({ transactionId: 'v', code: 'gb' }),
      status.INVALID_ARGUMENT,
      'event.external_subscription_id: required',
    );
  });

  it('evaluates the metric expression at ingestion, and rejects an event it fails on', async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({
      code: 'cpu',
      aggregationType: AggregationType.SUM_AGG,
      fieldName: 'cpu_s',
      expression: 'event.properties.ms / event.properties.div',
    });
    const r = await a.ingest({
      transactionId: 'e1',
      externalSubscriptionId: 's',
      code: 'cpu',
      timestamp: at('2026-01-02Z'),
      properties: { ms: 1500, div: 1000 },
    });
    expect(r.event!.properties).toEqual({ ms: 1500, div: 1000, cpu_s: '1.5' });
    await expectError(
      a.ingest({
        transactionId: 'e2',
        externalSubscriptionId: 's',
        code: 'cpu',
        timestamp: at('2026-01-02Z'),
        properties: { ms: 1, div: 0 },
      }),
      status.INVALID_ARGUMENT,
      /^expression_evaluation_failed: division_by_zero/,
    );
    const retried = await a.ingest({
      transactionId: 'e1',
      externalSubscriptionId: 's',
      code: 'cpu',
      properties: { ms: 1, div: 0 },
    });
    expect(retried.duplicate).toBe(true);
    expect((await a.usage({ externalSubscriptionId: 's', code: 'cpu', ...JAN })).value).toBe('1.5');
  });

  it('acknowledges nothing while ClickHouse cannot be written, and the retry counts once', async () => {
    const a = await org();
    const event = {
      transactionId: 'down',
      externalSubscriptionId: 's',
      code: 'gb',
      timestamp: at('2026-01-02Z'),
      properties: { gb: 7 },
    };
    await t.stack.clickhouse.command({ query: 'DETACH TABLE events' });
    try {
      await expectError(a.ingest(event), status.UNAVAILABLE, 'event store unavailable');
    } finally {
      await t.stack.clickhouse.command({ query: 'ATTACH TABLE events' });
    }
    expect((await a.ingest(event)).duplicate).toBe(false);
    expect((await a.ingest(event)).duplicate).toBe(true);
    expect((await a.usage({ externalSubscriptionId: 's', code: 'gb', ...JAN })).value).toBe('7');
  });
});
