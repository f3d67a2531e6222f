import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  GetSubscriptionUsageRequest,
  type GetUsageRequest,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import {
  DeleteBillableMetricRequest,
  WeightedInterval,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api, expectError } from '../support/api';
import { ev, runSemanticsCase, WINDOW, type SemanticsCase } from '../support/semantics';
import { COUNT_SUM_CASES } from '../support/semantics-cases-count-sum';
import { LATEST_UNIQUE_CASES } from '../support/semantics-cases-latest-unique';
import { MAX_CASES } from '../support/semantics-cases-max';
import { ROUNDING_CASES } from '../support/semantics-cases-rounding';
import { WEIGHTED_CASES } from '../support/semantics-cases-weighted';
import { startTestStack, type TestStack } from '../support/test-stack';
import { PARTS_PER_ROUND_TRIP } from '../../services/aggregation/src/usage.repository';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
}, 60_000);
afterAll(() => t?.stop());

const ALL_CASES = [
  ...COUNT_SUM_CASES,
  ...ROUNDING_CASES,
  ...MAX_CASES,
  ...LATEST_UNIQUE_CASES,
  ...WEIGHTED_CASES,
];
const table = (cases: SemanticsCase[]) => cases.map((c) => [c.name, c] as const);

/** SPEC §3, events in → number out, on the real engine through gRPC. */
describe('GetUsage semantics', () => {
  it.each(table(ALL_CASES))('%s', (_name, c) => runSemanticsCase(t, c));

  it('covers every aggregation type', () => {
    const covered = new Set(ALL_CASES.map((c) => c.metric.aggregationType));
    const types = Object.values(AggregationType).filter((v) => v.endsWith('_AGG'));
    expect([...covered].sort()).toEqual(types.sort());
  });
});

describe('GetUsage errors', () => {
  it('names the field of every invalid request, and answers NOT_FOUND for an unknown metric', async () => {
    const call = api(t, (await t.newOrganization()).apiKey);
    await call.createMetric({ code: 'm' });
    const base = { externalSubscriptionId: 's', code: 'm', ...WINDOW };
    const invalid: [Partial<GetUsageRequest>, RegExp][] = [
      [{ ...base, from: WINDOW.to }, /^from: /],
      [{ ...base, to: undefined }, /^to: required/],
      [{ ...base, externalSubscriptionId: '' }, /^external_subscription_id: required/],
      [{ ...base, code: '' }, /^code: required/],
      [{ ...base, chargesDurationDays: 0 }, /^charges_duration_days: /],
      [{ ...base, groupedBy: ['a', 'a'] }, /^grouped_by\[1\]: /],
      [{ ...base, groupedBy: [''] }, /^grouped_by\[0\]: /],
      [{ ...base, filter: { k: { values: [] } } }, /^filter\.k: /],
      [{ ...base, exclude: [{ values: {} }] }, /^exclude\[0\]: /],
    ];
    for (const [request, message] of invalid)
      await expectError(call.usage(request), status.INVALID_ARGUMENT, message);
    await expectError(call.usage({ ...base, code: 'nope' }), status.NOT_FOUND, /nope/);
  });
});

describe('GetSubscriptionUsage', () => {
  it('answers every non-deleted metric of the organization, ungrouped, over the window', async () => {
    const { apiKey } = await t.newOrganization();
    const call = api(t, apiKey);
    const seats = {
      aggregationType: AggregationType.WEIGHTED_SUM_AGG,
      weightedInterval: WeightedInterval.SECONDS,
    };
    await call.createMetric({ code: 'calls' });
    await call.createMetric({ code: 'gb', aggregationType: AggregationType.SUM_AGG, fieldName: 'v' });
    await call.createMetric({ code: 'seats', fieldName: 'v', ...seats });
    await call.createMetric({
      code: 'users',
      aggregationType: AggregationType.UNIQUE_COUNT_AGG,
      fieldName: 'v',
    });
    await call.createMetric({ code: 'gone' });
    const deleted = DeleteBillableMetricRequest.fromPartial({ code: 'gone' });
    await unary(t.clients.registry, 'deleteBillableMetric', deleted, apiKey);
    const events = [
      ['calls', ev('2026-01-02')],
      ['calls', ev('2026-01-11')],
      ['gb', ev('2026-01-02', { v: '1.5' })],
      ['gb', ev('2026-01-03', { v: 2 })],
      ['seats', ev('2026-01-01', { v: 4 })],
      ['users', ev('2026-01-03', { v: 'u1' })],
      ['gone', ev('2026-01-02')],
      ['calls', ev('2026-01-02', {}, { externalSubscriptionId: 'other' })],
    ] as const;
    for (const [i, [code, event]] of events.entries()) {
      await call.ingest({ transactionId: `t${i}`, externalSubscriptionId: 's', code, ...event });
    }
    const request = GetSubscriptionUsageRequest.fromPartial({ externalSubscriptionId: 's', ...WINDOW });
    const { usages } = await unary(t.clients.aggregation, 'getSubscriptionUsage', request, apiKey);
    const byCode = usages
      .map((u) => ({ code: u.code, type: u.aggregationType, value: u.value, eventsCount: u.eventsCount }))
      .sort((a, b) => a.code.localeCompare(b.code));
    expect(byCode).toEqual([
      { code: 'calls', type: 'COUNT_AGG', value: '1', eventsCount: '1' },
      { code: 'gb', type: 'SUM_AGG', value: '3.5', eventsCount: '2' },
      { code: 'seats', type: 'WEIGHTED_SUM_AGG', value: '4', eventsCount: '1' },
      { code: 'users', type: 'UNIQUE_COUNT_AGG', value: '1', eventsCount: '1' },
    ]);
    expect(usages.every((u) => u.groups.length === 0)).toBe(true);
  });

  it('answers more metrics than one round trip holds, each its own', async () => {
    const { apiKey } = await t.newOrganization();
    const call = api(t, apiKey);
    const codes = Array.from(
      { length: PARTS_PER_ROUND_TRIP + 7 },
      (_, i) => `m${String(i).padStart(2, '0')}`,
    );
    for (const code of codes)
      await call.createMetric({ code, aggregationType: AggregationType.SUM_AGG, fieldName: 'v' });
    const events = codes.map((code, i) => ({ ...ev('2026-01-02', { v: i }), transactionId: code, code }));
    await call.ingestBatch(events.map((e) => ({ ...e, externalSubscriptionId: 's' })));
    const request = GetSubscriptionUsageRequest.fromPartial({ externalSubscriptionId: 's', ...WINDOW });
    const { usages } = await unary(t.clients.aggregation, 'getSubscriptionUsage', request, apiKey);
    const values = usages.map((u) => [u.code, u.value]).sort(([a], [b]) => a.localeCompare(b));
    expect(values).toEqual(codes.map((code, i) => [code, `${i}`]));
  });

  it('validates the subscription and the window, even with no metric', async () => {
    const { apiKey } = await t.newOrganization();
    const invalid: [Partial<GetSubscriptionUsageRequest>, RegExp][] = [
      [{ externalSubscriptionId: 's', from: WINDOW.to, to: WINDOW.to }, /^from: /],
      [{ externalSubscriptionId: '', ...WINDOW }, /^external_subscription_id: required/],
    ];
    for (const [request, message] of invalid) {
      const call = unary(
        t.clients.aggregation,
        'getSubscriptionUsage',
        GetSubscriptionUsageRequest.fromPartial(request),
        apiKey,
      );
      await expectError(call, status.INVALID_ARGUMENT, message);
    }
  });
});
