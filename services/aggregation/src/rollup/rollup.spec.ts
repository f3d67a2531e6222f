import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_ORDER, IS_NUMERIC } from '../queries/selection';
import type { UsageQuery } from '../queries/usage-query';
import { cutHours } from './hour-rows';
import { answerable, HOUR_MS, rollupAnswers, rollupStatement } from './rollup.query';

const MIGRATION = readFileSync(
  path.resolve(__dirname, '../../../../libs/clickhouse/migrations/0005_usage_hourly.sql'),
  'utf8',
);
const squeeze = (sql: string) => sql.replace(/\s+/g, ' ').trim();

const QUERY: UsageQuery = {
  organizationId: 'o',
  externalSubscriptionId: 's',
  code: 'c',
  aggregationType: 'SUM_AGG',
  fieldName: 'v',
  recurring: false,
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-02-01T00:00:00Z'),
  filter: [],
  exclude: [],
  groupedBy: [],
  chargesDurationDays: null,
};

describe('the hourly aggregates (migration 0005)', () => {
  it('call a value numeric by the rule of the raw path, in the view and in the backfill', () => {
    const rule = squeeze(IS_NUMERIC);
    expect(squeeze(MIGRATION).split(rule)).toHaveLength(3);
  });

  it('order events for LATEST as the raw path does: (timestamp, created_at)', () => {
    expect(squeeze(MIGRATION).split(squeeze(EVENT_ORDER))).toHaveLength(3);
  });
});

/** Hour windows of Asia/Kolkata over QUERY: each starts at :30 UTC, so every hour is cut. */
const KOLKATA_HOURS = [
  QUERY.from,
  ...Array.from({ length: 743 }, (_, i) => new Date(QUERY.from.getTime() + 1_800_000 + i * HOUR_MS)),
];

describe('rollupStatement', () => {
  it.each<[string, Partial<UsageQuery>, boolean]>([
    ['whole hours, ungrouped, unfiltered', {}, true],
    ['recurring', { recurring: true }, true],
    ['COUNT', { aggregationType: 'COUNT_AGG', fieldName: '' }, true],
    ['MAX', { aggregationType: 'MAX_AGG' }, true],
    ['LATEST', { aggregationType: 'LATEST_AGG' }, true],
    ['WEIGHTED_SUM', { aggregationType: 'WEIGHTED_SUM_AGG' }, true],
    ['from inside an hour', { from: new Date('2026-01-01T00:00:00.001Z') }, true],
    ['to inside an hour', { to: new Date('2026-01-31T23:30:00Z') }, true],
    ['windowed', { windowStarts: [QUERY.from, new Date('2026-01-15T23:30:00Z')] }, true],
    ['windows cutting most hours: raw', { windowStarts: KOLKATA_HOURS }, false],
    ['recurring, windows cutting most hours', { windowStarts: KOLKATA_HOURS, recurring: true }, true],
    [
      'weighted, windows cutting most hours',
      { windowStarts: KOLKATA_HOURS, aggregationType: 'WEIGHTED_SUM_AGG' },
      true,
    ],
    ['UNIQUE_COUNT: raw', { aggregationType: 'UNIQUE_COUNT_AGG' }, false],
    ['grouped: raw', { groupedBy: ['region'] }, false],
    ['filtered: raw', { filter: [{ key: 'region', values: ['eu'] }] }, false],
    ['excluding: raw', { exclude: [[{ key: 'region', values: ['eu'] }]] }, false],
  ])('%s', (_name, over, fast) => {
    expect(rollupStatement({ ...QUERY, ...over }) !== null).toBe(fast);
    expect(rollupAnswers({ ...QUERY, ...over })).toBe(fast);
    if (over.aggregationType !== 'UNIQUE_COUNT_AGG') expect(answerable({ ...QUERY, ...over })).toBe(fast);
  });

  it('reads one field of one code over the window, every value a typed parameter', () => {
    const built = rollupStatement(QUERY)!;
    expect(squeeze(built.sql)).toContain(
      "FROM usage_hourly WHERE organization_id = {organization:String} AND external_subscription_id = {subscription:String} AND code = {code:String} AND scope = {scope:UInt8} AND field = {field:String} AND hour >= {from:DateTime64(3, 'UTC')} AND hour < {to:DateTime64(3, 'UTC')})",
    );
    expect(built.sql).not.toContain('FROM events');
    expect(built.params).toEqual({
      organization: 'o',
      subscription: 's',
      code: 'c',
      scope: 1,
      field: 'v',
      from: '2026-01-01 00:00:00.000',
      to: '2026-02-01 00:00:00.000',
      window_ends: [Date.UTC(2026, 1, 1)],
    });
    expect(squeeze(built.sql)).toContain("SELECT CAST([], 'Array(String)') AS group_values");
  });

  it('reads every hour before `to` for a recurring sum, every event of the code for a count', () => {
    expect(rollupStatement({ ...QUERY, recurring: true })!.sql).not.toContain('hour >= {from');
    const count = rollupStatement({ ...QUERY, aggregationType: 'COUNT_AGG', fieldName: '' })!;
    expect(count.params).toMatchObject({ scope: 0, field: '' });
  });

  it('reads the hours cut by from, to or a window start from their raw events, the others from the aggregates', () => {
    const built = rollupStatement({
      ...QUERY,
      from: new Date('2026-01-01T00:15:00Z'),
      to: new Date('2026-01-03T05:00:00.001Z'),
      windowStarts: [
        new Date('2026-01-01T00:15:00Z'),
        new Date('2026-01-01T18:30:00Z'),
        new Date('2026-01-02T18:30:00Z'),
        new Date('2026-01-03T00:00:00Z'),
      ],
    })!;
    const hour = (iso: string) => Date.parse(iso);
    expect(built.params.cut_hours).toEqual([
      hour('2026-01-01T00:00:00Z'),
      hour('2026-01-01T18:00:00Z'),
      hour('2026-01-02T18:00:00Z'),
      hour('2026-01-03T05:00:00Z'),
    ]);
    expect(built.params.window_ends).toEqual([
      hour('2026-01-01T18:30:00Z'),
      hour('2026-01-02T18:30:00Z'),
      hour('2026-01-03T00:00:00Z'),
      hour('2026-01-03T05:00:00.001Z'),
    ]);
    const sql = squeeze(built.sql);
    expect(sql).toContain('AND NOT has({cut_hours:Array(Int64)}, toUnixTimestamp64Milli(hour))');
    expect(sql).toContain(
      "FROM events WHERE organization_id = {organization:String} AND external_subscription_id = {subscription:String} AND code = {code:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND has({cut_hours:Array(Int64)}, intDiv(toUnixTimestamp64Milli(timestamp), 3600000) * 3600000) AND " +
        squeeze(IS_NUMERIC),
    );
    expect(sql).toContain('SELECT [toString(window)] AS group_values');
    // A count reads every event of the cut hours, numeric or not.
    const count = rollupStatement({
      ...QUERY,
      aggregationType: 'COUNT_AGG',
      from: new Date('2026-01-01T00:15:00Z'),
    })!;
    expect(squeeze(count.sql)).not.toContain(squeeze(IS_NUMERIC));
  });

  it("carries a recurring metric's history into every window; a weighted sum weighs by each window's end", () => {
    const windowed = { ...QUERY, windowStarts: [QUERY.from, new Date('2026-01-15T00:00:00Z')] };
    const recurringSum = squeeze(rollupStatement({ ...windowed, recurring: true })!.sql);
    expect(recurringSum).toContain('toString(through_v) AS value');
    expect(recurringSum).toContain('WHERE window > 0 AND through_events > 0');
    const sum = squeeze(rollupStatement(windowed)!.sql);
    expect(sum).toContain('toString(w_v) AS value');
    const weighted = rollupStatement({ ...windowed, aggregationType: 'WEIGHTED_SUM_AGG', recurring: true })!;
    expect(squeeze(weighted.sql)).toContain('toString(through_v - w_v) AS initial_level');
    expect(squeeze(weighted.sql)).toContain(
      'sum(sum_v * ({window_ends:Array(Int64)}[window] - hour_start) - sum_v_offset) AS w_level_ms',
    );
    expect(weighted.columns).toEqual(['initial_level', 'in_window_delta', 'level_ms']);
  });
});

describe('cutHours', () => {
  it.each<[string, number[], number[]]>([
    ['whole hours cut nothing', [0, HOUR_MS, 5 * HOUR_MS], []],
    ['one instant inside an hour', [HOUR_MS + 1], [HOUR_MS]],
    [
      'each hour once, in order',
      [3 * HOUR_MS + 5, HOUR_MS + 1_800_000, HOUR_MS + 1, 3 * HOUR_MS - 1],
      [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS],
    ],
    ['before 1970', [-1], [-HOUR_MS]],
  ])('%s', (_name, bounds, cut) => {
    expect(cutHours(bounds)).toEqual(cut);
  });
});
