import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  GetSubscriptionUsageRequest,
  WindowSize,
  type GetUsageRequest,
  type Usage,
  type UsageWindow,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { WeightedInterval } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api, expectError } from '../support/api';
import {
  CODE,
  ev,
  metric,
  setUpSemanticsCase,
  SUBSCRIPTION,
  WINDOW,
  type SemanticsCase,
} from '../support/semantics';
import { COUNT_SUM_CASES } from '../support/semantics-cases-count-sum';
import { LATEST_UNIQUE_CASES } from '../support/semantics-cases-latest-unique';
import { MAX_CASES } from '../support/semantics-cases-max';
import { ROUNDING_CASES } from '../support/semantics-cases-rounding';
import { WEIGHTED_CASES } from '../support/semantics-cases-weighted';
import { startTestStack, type TestStack } from '../support/test-stack';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
}, 60_000);
afterAll(() => t?.stop());

type Call = ReturnType<typeof api>;

/** The numbers of a Usage or a UsageWindow, groups in a stable order. */
function numbers(u: Usage | UsageWindow) {
  return {
    value: u.value,
    eventsCount: u.eventsCount,
    totalAggregatedUnits: u.totalAggregatedUnits,
    preciseTotalAmountCents: u.preciseTotalAmountCents,
    groups: u.groups
      .map((g) => JSON.stringify([Object.entries(g.groupedBy).sort(), g.nullKeys, g.value, g.eventsCount]))
      .sort(),
  };
}

const iso = (w: { from?: Date; to?: Date }) => `${w.from?.toISOString()}→${w.to?.toISOString()}`;

/**
 * The windowed answer against GetUsage asked once per window alone, with the same request
 * otherwise; the top-level numbers against the unwindowed answer. Returns the windows.
 */
async function expectWindowsAsAlone(call: Call, request: Partial<GetUsageRequest>): Promise<UsageWindow[]> {
  const windowed = await call.usage(request);
  const plain = { ...request, windowSize: WindowSize.WINDOW_SIZE_UNSPECIFIED, timeZone: '' };
  const whole = await call.usage(plain);
  expect(whole.windows).toEqual([]);
  expect(numbers(windowed)).toEqual(numbers(whole));
  for (const w of windowed.windows) {
    const alone = await call.usage({ ...plain, from: w.from, to: w.to });
    expect({ window: iso(w), ...numbers(w) }).toEqual({ window: iso(w), ...numbers(alone) });
  }
  return windowed.windows;
}

const ALL_CASES = [
  ...COUNT_SUM_CASES,
  ...ROUNDING_CASES,
  ...MAX_CASES,
  ...LATEST_UNIQUE_CASES,
  ...WEIGHTED_CASES,
];

/** SPEC §2.3: each window is exactly GetUsage over it alone, for every row of the semantics tables. */
describe('Usage.windows against the semantics tables', () => {
  it.each(ALL_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c: SemanticsCase) => {
    const call = await setUpSemanticsCase(t, c);
    const request = { externalSubscriptionId: SUBSCRIPTION, code: CODE, ...WINDOW, ...c.query };
    // Paris days over the table's ten UTC days: eleven windows, the first and last clipped.
    const days = await expectWindowsAsAlone(call, {
      ...request,
      windowSize: WindowSize.DAY,
      timeZone: 'Europe/Paris',
    });
    expect(days).toHaveLength(11);
    expect(iso(days[0])).toBe('2026-01-01T00:00:00.000Z→2026-01-01T23:00:00.000Z');
    expect(iso(days[10])).toBe('2026-01-10T23:00:00.000Z→2026-01-11T00:00:00.000Z');
    // New York months: the end of December (local) and the rest.
    const months = await expectWindowsAsAlone(call, {
      ...request,
      windowSize: WindowSize.MONTH,
      timeZone: 'America/New_York',
    });
    expect(months.map(iso)).toEqual([
      '2026-01-01T00:00:00.000Z→2026-01-01T05:00:00.000Z',
      '2026-01-01T05:00:00.000Z→2026-01-11T00:00:00.000Z',
    ]);
  });

  it('the tables put numbers into windows (so the comparison above is not 0 = 0)', async () => {
    const c = ALL_CASES.find((x) => x.name.startsWith('sum: '))!;
    const call = await setUpSemanticsCase(t, { ...c, name: `${c.name} (nonzero)` });
    const { windows } = await call.usage({
      externalSubscriptionId: SUBSCRIPTION,
      code: CODE,
      ...WINDOW,
      ...c.query,
      windowSize: WindowSize.DAY,
    });
    expect(windows.some((w) => w.value !== '0')).toBe(true);
  });
});

const SUM = metric(AggregationType.SUM_AGG);
const WEIGHTED = metric(AggregationType.WEIGHTED_SUM_AGG, { weightedInterval: WeightedInterval.SECONDS });

/** A fresh organization with one metric and these events (`ev` times are UTC). */
async function withEvents(name: string, m: SemanticsCase['metric'], events: SemanticsCase['events']) {
  return setUpSemanticsCase(t, { name, metric: m, events, expect: { value: '' } });
}

const request = (from: string, to: string, windowSize: WindowSize, timeZone = '') => ({
  externalSubscriptionId: SUBSCRIPTION,
  code: CODE,
  from: new Date(from),
  to: new Date(to),
  windowSize,
  timeZone,
});

describe('windows on daylight-saving days', () => {
  // One event every 30 minutes for 8 hours from `from`, alternately 'even' and 'odd'.
  const halfHours = (from: string) =>
    Array.from({ length: 16 }, (_, i) => {
      const at = new Date(Date.parse(from) + i * 1_800_000).toISOString();
      return ev(at, { v: i + 1, kind: i % 2 ? 'odd' : 'even' });
    });

  it.each([
    // 01:00 CET is followed by 03:00 CEST.
    ['Europe/Paris spring', 'Europe/Paris', '2026-03-28T21:00:00Z', ['2026-03-29T01:00:00.000Z']],
    // 02:00 local twice: 00:00Z (CEST) and 01:00Z (CET).
    [
      'Europe/Paris autumn',
      'Europe/Paris',
      '2026-10-24T21:00:00Z',
      ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z'],
    ],
    // 01:00 EST is followed by 03:00 EDT.
    ['America/New_York spring', 'America/New_York', '2026-03-08T03:00:00Z', ['2026-03-08T07:00:00.000Z']],
    // 01:00 local twice: 05:00Z (EDT) and 06:00Z (EST).
    [
      'America/New_York autumn',
      'America/New_York',
      '2026-11-01T02:00:00Z',
      ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z'],
    ],
  ])('%s: hours of 60 minutes, grouped, each as alone', async (name, zone, from, around) => {
    const call = await withEvents(name, SUM, halfHours(from));
    const to = new Date(Date.parse(from) + 8 * 3_600_000).toISOString();
    const hours = await expectWindowsAsAlone(call, {
      ...request(from, to, WindowSize.HOUR, zone),
      groupedBy: ['kind'],
    });
    expect(hours).toHaveLength(8);
    expect(hours.every((w) => w.to!.getTime() - w.from!.getTime() === 3_600_000)).toBe(true);
    for (const start of around) expect(hours.map((w) => w.from!.toISOString())).toContain(start);
    expect(hours.every((w) => w.eventsCount === '2' && w.groups.length === 2)).toBe(true);
  });

  it.each([
    ['Europe/Paris', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Europe/Paris', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
    ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
  ])('%s: the day [%s, %s) is %i hours; a weighted sum divides by it', async (zone, start, end, hours) => {
    // A level of 24 from the day's local midnight: its time-weighted average over the day is 24.
    const call = await withEvents(`${zone} ${start}`, WEIGHTED, [ev(start, { v: 24 })]);
    const from = new Date(Date.parse(start) - 6 * 3_600_000).toISOString();
    const to = new Date(Date.parse(end) + 6 * 3_600_000).toISOString();
    const days = await expectWindowsAsAlone(call, request(from, to, WindowSize.DAY, zone));
    expect(days.map(iso)).toEqual([
      `${from}→${new Date(start).toISOString()}`,
      `${new Date(start).toISOString()}→${new Date(end).toISOString()}`,
      `${new Date(end).toISOString()}→${to}`,
    ]);
    expect((days[1].to!.getTime() - days[1].from!.getTime()) / 3_600_000).toBe(hours);
    expect(days.map((w) => w.value)).toEqual(['0', '24', '0']);
  });

  it('Asia/Kolkata hours start at :30 UTC', async () => {
    const call = await withEvents('kolkata', SUM, [
      ev('2026-01-05T00:29:59.999', { v: 1 }),
      ev('2026-01-05T00:30:00', { v: 2 }),
      ev('2026-01-05T01:29:00', { v: 4 }),
      ev('2026-01-05T01:30:00', { v: 8 }),
    ]);
    const hours = await expectWindowsAsAlone(
      call,
      request('2026-01-05T00:00:00Z', '2026-01-05T02:00:00Z', WindowSize.HOUR, 'Asia/Kolkata'),
    );
    expect(hours.map((w) => [iso(w), w.value])).toEqual([
      ['2026-01-05T00:00:00.000Z→2026-01-05T00:30:00.000Z', '1'],
      ['2026-01-05T00:30:00.000Z→2026-01-05T01:30:00.000Z', '6'],
      ['2026-01-05T01:30:00.000Z→2026-01-05T02:00:00.000Z', '8'],
    ]);
  });
});

describe('windows: months, recurring history, empty windows, limits', () => {
  it('recurring sums carry history into every month, empty months included', async () => {
    const call = await withEvents('recurring months', { ...SUM, recurring: true }, [
      ev('2025-12-15', { v: 5 }),
      ev('2026-02-10', { v: 2 }),
    ]);
    const months = await expectWindowsAsAlone(
      call,
      request('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z', WindowSize.MONTH),
    );
    expect(months.map((w) => [w.from!.toISOString().slice(0, 7), w.value])).toEqual([
      ['2026-01', '5'],
      ['2026-02', '7'],
      ['2026-03', '7'],
    ]);
  });

  it('empty windows are listed, with 0 and no groups', async () => {
    const call = await withEvents('empty windows', metric(AggregationType.COUNT_AGG), [
      ev('2026-01-02T10:00:00', { k: 'a' }),
    ]);
    const days = await expectWindowsAsAlone(call, {
      ...request('2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z', WindowSize.DAY),
      groupedBy: ['k'],
    });
    expect(days.map((w) => [w.value, w.eventsCount, w.groups.length])).toEqual([
      ['0', '0', 0],
      ['1', '1', 1],
      ['0', '0', 0],
    ]);
  });

  it('at most 1,000 windows; an unknown time zone is INVALID_ARGUMENT whenever given', async () => {
    const call = await withEvents('limits', SUM, []);
    const thousand = request('2026-01-01T00:00:00Z', '2026-02-11T16:00:00Z', WindowSize.HOUR);
    expect((await call.usage(thousand)).windows).toHaveLength(1000);
    await expectError(
      call.usage({ ...thousand, to: new Date('2026-02-11T16:00:00.001Z') }),
      status.INVALID_ARGUMENT,
      /^window_size: more than 1000/,
    );
    const unknownZone = { ...thousand, timeZone: 'Europe/Atlantis' };
    await expectError(call.usage(unknownZone), status.INVALID_ARGUMENT, /^time_zone: /);
    await expectError(
      call.usage({ ...unknownZone, windowSize: WindowSize.WINDOW_SIZE_UNSPECIFIED }),
      status.INVALID_ARGUMENT,
      /^time_zone: /,
    );
    // Invalid in itself: before the metric is looked up.
    await expectError(call.usage({ ...unknownZone, code: 'nope' }), status.INVALID_ARGUMENT, /^time_zone: /);
  }, 60_000);

  it('GetSubscriptionUsage: every metric with its windows, each as GetUsage answers it', async () => {
    const call = await withEvents('subscription usage', SUM, [
      ev('2026-01-01T23:30:00', { v: 3 }),
      ev('2026-01-02T00:30:00', { v: 4 }),
    ]);
    await call.createMetric({ code: 'n' });
    const { apiKey } = call;
    const req = request('2026-01-01T00:00:00Z', '2026-01-04T00:00:00Z', WindowSize.DAY, 'Europe/Paris');
    const asked = GetSubscriptionUsageRequest.fromPartial({
      ...req,
      code: undefined,
    } as Partial<GetSubscriptionUsageRequest>);
    const { usages } = await unary(t.clients.aggregation, 'getSubscriptionUsage', asked, apiKey);
    expect(usages.map((u) => u.code).sort()).toEqual(['m', 'n']);
    for (const u of usages) {
      const alone = await expectWindowsAsAlone(call, { ...req, code: u.code });
      expect(u.windows.map((w) => [iso(w), numbers(w)])).toEqual(alone.map((w) => [iso(w), numbers(w)]));
    }
    const m = usages.find((u) => u.code === 'm')!;
    expect(m.windows.map((w) => w.value)).toEqual(['0', '7', '0', '0']);
    await expectError(
      unary(t.clients.aggregation, 'getSubscriptionUsage', { ...asked, timeZone: 'Nowhere/Else' }, apiKey),
      status.INVALID_ARGUMENT,
      /^time_zone: /,
    );
  });
});
