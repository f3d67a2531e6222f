import type { MetricDefinition } from '../../../libs/common/src/domain';
import { InvalidArgumentError } from '../../../libs/common/src/errors';
import {
  requestWindows,
  requireCode,
  requireSubscription,
  requireWindow,
  toUsageQuery,
  type UsageRequestInput,
} from './usage.request';

const metric = {
  code: 'gb',
  aggregationType: 'SUM_AGG',
  fieldName: 'v',
  recurring: true,
} as MetricDefinition;
const from = new Date('2026-01-01T00:00:00Z');
const to = new Date('2026-02-01T00:00:00Z');
const base: UsageRequestInput = { externalSubscriptionId: 's', code: 'gb', from, to };

function error(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('toUsageQuery validation: every INVALID_ARGUMENT names the field', () => {
  it.each<[string, UsageRequestInput, string]>([
    ['subscription missing', { ...base, externalSubscriptionId: '' }, 'external_subscription_id: required'],
    ['from missing', { ...base, from: null }, 'from: required'],
    ['to missing', { ...base, to: undefined }, 'to: required'],
    ['from = to', { ...base, from: to }, 'from: must be before to (the window is [from, to))'],
    ['from after to', { ...base, from: to, to: from }, 'from: must be before to (the window is [from, to))'],
    [
      'charges_duration_days 0',
      { ...base, chargesDurationDays: 0 },
      'charges_duration_days: must be at least 1',
    ],
    [
      'charges_duration_days negative',
      { ...base, chargesDurationDays: -3 },
      'charges_duration_days: must be at least 1',
    ],
    ['filter key empty', { ...base, filter: { '': { values: ['x'] } } }, 'filter: a key must not be empty'],
    [
      'filter without values',
      { ...base, filter: { k: { values: [] } } },
      'filter.k: at least one value is required',
    ],
    ['filter entry null', { ...base, filter: { k: null } }, 'filter.k: at least one value is required'],
    ['exclude set empty', { ...base, exclude: [{ values: {} }] }, 'exclude[0]: must have at least one key'],
    ['exclude set null', { ...base, exclude: [null] }, 'exclude[0]: must have at least one key'],
    [
      'exclude key empty',
      { ...base, exclude: [{ values: { '': { values: ['x'] } } }] },
      'exclude[0]: a key must not be empty',
    ],
    [
      'exclude without values',
      { ...base, exclude: [{ values: { a: { values: ['1'] } } }, { values: { k: { values: [] } } }] },
      'exclude[1].k: at least one value is required',
    ],
    ['grouped_by empty key', { ...base, groupedBy: ['a', ''] }, 'grouped_by[1]: must not be empty'],
    ['grouped_by duplicate', { ...base, groupedBy: ['a', 'b', 'a'] }, 'grouped_by[2]: duplicate key "a"'],
  ])('%s', (_name, input, message) => {
    expect(error(() => toUsageQuery('org', metric, input))).toBe(message);
  });

  it('requireCode and requireWindow name their fields', () => {
    expect(error(() => requireCode(''))).toBe('code: required');
    expect(error(() => requireCode(undefined))).toBe('code: required');
    expect(error(() => requireSubscription(''))).toBe('external_subscription_id: required');
    expect(error(() => requireWindow(from, null))).toBe('to: required');
    expect(requireWindow(from, to)).toEqual({ from, to });
  });
});

describe('toUsageQuery mapping', () => {
  it('takes the metric’s type, field and recurrence, and the request’s window, filters and grouping', () => {
    const input: UsageRequestInput = {
      ...base,
      filter: { region: { values: ['eu', 'us'] }, tier: { values: ['a'] } },
      exclude: [{ values: { city: { values: ['caen'] }, country: { values: ['fr'] } } }],
      groupedBy: ['region'],
      chargesDurationDays: 30,
    };
    expect(toUsageQuery('org', metric, input)).toEqual({
      organizationId: 'org',
      externalSubscriptionId: 's',
      code: 'gb',
      aggregationType: 'SUM_AGG',
      fieldName: 'v',
      recurring: true,
      from,
      to,
      filter: [
        { key: 'region', values: ['eu', 'us'] },
        { key: 'tier', values: ['a'] },
      ],
      exclude: [
        [
          { key: 'city', values: ['caen'] },
          { key: 'country', values: ['fr'] },
        ],
      ],
      groupedBy: ['region'],
      chargesDurationDays: 30,
    });
  });

  it('defaults: no filter, exclude or grouping; charges_duration_days unset is null', () => {
    expect(
      toUsageQuery('org', metric, { ...base, filter: null, exclude: null, groupedBy: null }),
    ).toMatchObject({
      filter: [],
      exclude: [],
      groupedBy: [],
      chargesDurationDays: null,
    });
  });
});

describe('requestWindows (SPEC §2.3 usage over time)', () => {
  const window = { from, to };

  it('no window_size: no windows; an empty time zone is UTC', () => {
    expect(requestWindows({}, window)).toEqual([]);
    expect(requestWindows({ windowSize: 'WINDOW_SIZE_UNSPECIFIED', timeZone: '' }, window)).toEqual([]);
    const days = requestWindows({ windowSize: 'DAY', timeZone: '' }, window);
    expect(days).toHaveLength(31);
    expect(days[0]).toEqual({ from, to: new Date('2026-01-02T00:00:00Z') });
  });

  it('the days of the zone, clipped to [from, to)', () => {
    const days = requestWindows({ windowSize: 'DAY', timeZone: 'Europe/Paris' }, window);
    expect(days).toHaveLength(32);
    expect(days[0]).toEqual({ from, to: new Date('2026-01-01T23:00:00Z') });
    expect(days[31]).toEqual({ from: new Date('2026-01-31T23:00:00Z'), to });
  });

  it.each<[string, Pick<UsageRequestInput, 'windowSize' | 'timeZone'>, RegExp]>([
    [
      'an unknown zone, even without windows',
      { timeZone: 'Europe/Atlantis' },
      /^time_zone: unknown time zone "Europe\/Atlantis"/,
    ],
    ['an unknown zone with windows', { windowSize: 'HOUR', timeZone: 'nowhere' }, /^time_zone: /],
    ['an unknown window size', { windowSize: 7 }, /^window_size: unknown value "7"$/],
    ['more than 1,000 windows', { windowSize: 'HOUR' }, /^window_size: more than 1000 hour windows/],
  ])('%s is INVALID_ARGUMENT naming the field', (_name, input, message) => {
    // 59 days: 1,416 hours.
    const twoMonths = { from, to: new Date('2026-03-01T00:00:00Z') };
    expect(error(() => requestWindows(input, twoMonths))).toMatch(message);
  });
});
