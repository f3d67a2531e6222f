import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  GetSubscriptionUsageRequest,
  WindowSize,
  type Usage,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import {
  WeightedInterval,
  type BillableMetricInput,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { unary } from '../../libs/testing/src/clients';
import type { BuiltQuery, UsageRow } from '../../services/aggregation/src/queries/usage-query';
import type { ActiveCodesStatement } from '../../services/aggregation/src/rollup/active-codes';
import { UsageRepository } from '../../services/aggregation/src/usage.repository';
import { UsageService, type UsageQuestion } from '../../services/aggregation/src/usage.service';
import { toUsageQuery } from '../../services/aggregation/src/usage.request';
import { requestWindows } from '../../services/aggregation/src/usage.request';
import { api } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * GetSubscriptionUsage asks only about the metrics with events where the question looks (issue 12:
 * its cost follows the metrics a subscription uses, not the organization's): every metric's answer
 * must still be exactly GetUsage's for it alone — the ones with no event (zeros, every window
 * listed), the recurring ones whose events are all before `from`, the ones whose events are after
 * `to` or in the hours cut by `from` and `to`.
 */

const SUBSCRIPTION = 'sub-precheck';
const FROM = '2026-03-10T00:30:00Z';
const TO = '2026-03-13T12:15:00Z';

/** Every type, recurring where allowed, on fields the events carry. */
const TYPES: [AggregationType, string, boolean][] = [
  [AggregationType.COUNT_AGG, '', false],
  [AggregationType.SUM_AGG, 'v', false],
  [AggregationType.SUM_AGG, 'v', true],
  [AggregationType.MAX_AGG, 'v', false],
  [AggregationType.LATEST_AGG, 'v', false],
  [AggregationType.UNIQUE_COUNT_AGG, 'u', false],
  [AggregationType.UNIQUE_COUNT_AGG, 'u', true],
  [AggregationType.WEIGHTED_SUM_AGG, 'v', false],
  [AggregationType.WEIGHTED_SUM_AGG, 'v', true],
];

/** Where a code's events lie relative to [FROM, TO). */
const PLACES: Record<string, string[]> = {
  none: [],
  inside: ['2026-03-11T10:00:00Z', '2026-03-12T23:59:59.999Z'],
  before: ['2026-02-01T00:00:00Z', '2026-03-09T23:00:00Z'],
  after: ['2026-03-13T12:15:00Z', '2026-04-01T00:00:00Z'],
  cutHours: ['2026-03-10T00:10:00Z', '2026-03-13T12:20:00Z'],
  edges: ['2026-03-10T00:30:00Z', '2026-03-13T12:14:59.999Z'],
};

/** Counts the statements a service sends. */
class CountingRepository extends UsageRepository {
  statements = 0;
  prechecks = 0;
  override rowsOf(queries: BuiltQuery[]): Promise<UsageRow[][]> {
    this.statements += queries.length;
    return super.rowsOf(queries);
  }
  override activeCodes(statement: ActiveCodesStatement): Promise<Map<string, boolean>> {
    this.prechecks += 1;
    return super.activeCodes(statement);
  }
}

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
}, 60_000);
afterAll(() => t?.stop());

const numbers = (u: Usage) => ({
  value: u.value,
  eventsCount: u.eventsCount,
  totalAggregatedUnits: u.totalAggregatedUnits,
  preciseTotalAmountCents: u.preciseTotalAmountCents,
  groups: u.groups,
  windows: u.windows.map((w) => ({ ...w, from: w.from?.toISOString(), to: w.to?.toISOString() })),
});

describe('GetSubscriptionUsage asks only the metrics with events', () => {
  const metrics: Partial<BillableMetricInput>[] = [];
  let apiKey = '';
  let organizationId = '';

  beforeAll(async () => {
    const organization = await t.newOrganization('subscription usage');
    ({ apiKey, id: organizationId } = organization);
    const call = api(t, apiKey);
    const events: Partial<EventInput>[] = [];
    for (const [place, times] of Object.entries(PLACES)) {
      for (const [i, [aggregationType, fieldName, recurring]] of TYPES.entries()) {
        const code = `${place}_${i}`; // PLACES key, then '_'
        metrics.push({
          code,
          aggregationType,
          fieldName,
          recurring,
          ...(aggregationType === AggregationType.WEIGHTED_SUM_AGG
            ? { weightedInterval: WeightedInterval.SECONDS }
            : {}),
        });
        await call.createMetric(metrics[metrics.length - 1]);
        times.forEach((timestamp, k) =>
          events.push({
            transactionId: `${code}-${k}`,
            externalSubscriptionId: SUBSCRIPTION,
            code,
            timestamp: new Date(timestamp),
            properties: { v: String(k + 1.5), u: `user-${k}`, operation_type: 'add' },
          }),
        );
      }
    }
    await call.ingestBatch(events);
  }, 120_000);

  it.each([
    ['no windows', WindowSize.WINDOW_SIZE_UNSPECIFIED, ''],
    ['days in Paris', WindowSize.DAY, 'Europe/Paris'],
  ])('%s: each metric as GetUsage answers it alone', async (_, windowSize, timeZone) => {
    const request = {
      externalSubscriptionId: SUBSCRIPTION,
      from: new Date(FROM),
      to: new Date(TO),
      windowSize,
      timeZone,
    };
    const { usages } = await unary(
      t.clients.aggregation,
      'getSubscriptionUsage',
      GetSubscriptionUsageRequest.fromPartial(request),
      apiKey,
    );
    expect(usages.map((u) => u.code).sort()).toEqual(metrics.map((m) => m.code).sort());
    const call = api(t, apiKey);
    for (const usage of usages) {
      const alone = await call.usage({ ...request, code: usage.code });
      expect({ code: usage.code, ...numbers(usage) }).toEqual({ code: usage.code, ...numbers(alone) });
    }
    // The fixture means something: some metrics with events answer non-zero, some without do not.
    expect(usages.filter((u) => u.eventsCount !== '0').length).toBeGreaterThan(10);
  });

  it('sends one statement per metric whose code has events before `to`, after one pre-check', async () => {
    const counting = new CountingRepository(t.stack.clickhouse);
    const paths: string[] = [];
    const recorder = { observeQuery: () => {}, observeAnswer: (path: string) => void paths.push(path) };
    const service = new UsageService(counting, recorder, { rollups: true });
    const raw = new UsageService(new UsageRepository(t.stack.clickhouse), undefined, { rollups: false });
    const request = { externalSubscriptionId: SUBSCRIPTION, from: new Date(FROM), to: new Date(TO) };
    const windows = requestWindows(
      { windowSize: WindowSize.WINDOW_SIZE_UNSPECIFIED, timeZone: '' },
      { from: request.from, to: request.to },
    );
    const questions: UsageQuestion[] = metrics.map((m) => {
      const metric = {
        id: m.code!,
        organizationId,
        code: m.code!,
        name: m.code!,
        description: '',
        aggregationType: AggregationType[m.aggregationType!] as UsageQuestion['metric']['aggregationType'],
        fieldName: m.fieldName ?? '',
        recurring: m.recurring ?? false,
        weightedInterval: m.weightedInterval ? ('SECONDS' as const) : null,
        roundingFunction: null,
        roundingPrecision: null,
        expression: '',
        filters: [],
        createdAt: new Date(0),
      };
      return { metric, query: toUsageQuery(organizationId, metric, request), windows };
    });
    const [fast, exact] = await Promise.all([service.usages(questions), raw.usages(questions)]);
    expect(fast).toEqual(exact);
    expect(counting.prechecks).toBe(1);
    // Asked: a code with an event in an hour that starts before `to` — and, unless recurring, ends
    // after `from` (an hour cut by `from` or `to` counts whole).
    const HOUR = 3_600_000;
    const hourOf = (iso: string) => Math.floor(Date.parse(iso) / HOUR) * HOUR;
    const asked = questions.filter((q) =>
      PLACES[q.metric.code.split('_')[0]].some(
        (time) =>
          hourOf(time) < Date.parse(TO) && (q.metric.recurring || hourOf(time) + HOUR > Date.parse(FROM)),
      ),
    );
    expect(counting.statements).toBe(asked.length);
    // Skipped: the 9 'none' metrics and the 6 non-recurring 'before' ones.
    expect(questions.length - asked.length).toBe(15);
    // metering_usage_answers_total: unique counts from the events (this service has no metric-aware
    // aggregates), every other asked question from the hourly aggregates.
    const unique = asked.filter((q) => q.metric.aggregationType === 'UNIQUE_COUNT_AGG').length;
    expect(paths.filter((p) => p === 'skipped').length).toBe(15);
    expect(paths.filter((p) => p === 'raw').length).toBe(unique);
    expect(paths.filter((p) => p === 'hourly').length).toBe(asked.length - unique);
  });
});
