import type { AggregationTypeName } from '../../../../libs/common/src/domain';
import { AGGREGATION_QUERIES } from './index';
import type { GroupResult, UsageQuery, UsageRow } from './usage-query';

const TEN_DAYS_MS = 10 * 86_400_000;

function query(more: Partial<UsageQuery> = {}): UsageQuery {
  return {
    organizationId: 'o',
    externalSubscriptionId: 's',
    code: 'c',
    aggregationType: 'WEIGHTED_SUM_AGG',
    fieldName: 'v',
    recurring: false,
    from: new Date('2026-01-01T00:00:00.000Z'),
    to: new Date('2026-01-11T00:00:00.000Z'),
    filter: [],
    exclude: [],
    groupedBy: [],
    chargesDurationDays: null,
    ...more,
  };
}

const row = (more: Partial<UsageRow>): UsageRow => ({
  group_values: [],
  value: '',
  events_count: '1',
  precise_total_amount_cents: '0',
  ...more,
});

describe('how each type reads its row', () => {
  it.each<[string, AggregationTypeName, Partial<UsageRow>, Partial<GroupResult>]>([
    ['count as computed', 'COUNT_AGG', { value: '3', events_count: '3' }, { value: '3', eventsCount: '3' }],
    [
      'sum as computed',
      'SUM_AGG',
      { value: '-2.50000000000000000000' },
      { value: '-2.50000000000000000000' },
    ],
    [
      'max as computed',
      'MAX_AGG',
      { value: '-1.00000000000000000000' },
      { value: '-1.00000000000000000000' },
    ],
    ['latest positive', 'LATEST_AGG', { value: '4.25000000000000000000' }, { value: '4.25' }],
    ['latest negative → 0', 'LATEST_AGG', { value: '-4.00000000000000000000' }, { value: '0' }],
    ['unique count', 'UNIQUE_COUNT_AGG', { value: '2', events_count: '2' }, { value: '2', eventsCount: '2' }],
    [
      'amount passes through',
      'SUM_AGG',
      { value: '1', precise_total_amount_cents: '10.5' },
      { preciseTotalAmountCents: '10.5' },
    ],
  ])('%s', (_name, type, given, expected) => {
    expect(AGGREGATION_QUERIES[type].read(row(given), query({ aggregationType: type }))).toMatchObject(
      expected,
    );
  });
});

describe('weighted sum reading (SPEC §3.6): Σ level × time held / period, exact', () => {
  const read = (given: Partial<UsageRow>, more: Partial<UsageQuery> = {}) =>
    AGGREGATION_QUERIES.WEIGHTED_SUM_AGG.read(row(given), query(more));

  it.each<[string, Partial<UsageRow>, Partial<UsageQuery>, string, string]>([
    [
      'level 10 over the whole window',
      { initial_level: '0', in_window_delta: '10', level_ms: `${10 * TEN_DAYS_MS}` },
      {},
      '10',
      '10',
    ],
    [
      'a 20-day period halves it',
      { initial_level: '0', in_window_delta: '10', level_ms: `${10 * TEN_DAYS_MS}` },
      { chargesDurationDays: 20 },
      '5',
      '10',
    ],
    [
      'recurring initial level held all window',
      { initial_level: '10', in_window_delta: '5', level_ms: `${5 * (TEN_DAYS_MS / 2)}` },
      { recurring: true },
      '12.5',
      '15',
    ],
    [
      '1 ms of level 1, 30 decimals',
      { initial_level: '0', in_window_delta: '1', level_ms: '1' },
      {},
      '0.000000001157407407407407407407',
      '1',
    ],
    [
      'a non-terminating division rounds half-up at 30 decimals',
      { initial_level: '0', in_window_delta: '2', level_ms: `${2 * 86_400_000}` },
      { chargesDurationDays: 3 },
      '0.666666666666666666666666666667',
      '2',
    ],
    ['negative levels', { initial_level: '-1', in_window_delta: '0', level_ms: '0' }, {}, '-1', '-1'],
  ])('%s', (_name, given, more, value, units) => {
    expect(read(given, more)).toMatchObject({ value, totalAggregatedUnits: units });
  });
});
