import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_ORDER, IS_NUMERIC } from '../queries/selection';
import type { UsageQuery } from '../queries/usage-query';
import { answerable, rollupStatement } from './rollup.query';

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

describe('rollupStatement', () => {
  it.each<[string, Partial<UsageQuery>, boolean]>([
    ['whole hours, ungrouped, unfiltered', {}, true],
    ['recurring', { recurring: true }, true],
    ['COUNT', { aggregationType: 'COUNT_AGG', fieldName: '' }, true],
    ['MAX', { aggregationType: 'MAX_AGG' }, true],
    ['LATEST', { aggregationType: 'LATEST_AGG' }, true],
    ['WEIGHTED_SUM', { aggregationType: 'WEIGHTED_SUM_AGG' }, true],
    ['UNIQUE_COUNT: raw', { aggregationType: 'UNIQUE_COUNT_AGG' }, false],
    ['grouped: raw', { groupedBy: ['region'] }, false],
    ['filtered: raw', { filter: [{ key: 'region', values: ['eu'] }] }, false],
    ['excluding: raw', { exclude: [[{ key: 'region', values: ['eu'] }]] }, false],
    ['from inside an hour: raw', { from: new Date('2026-01-01T00:00:00.001Z') }, false],
    ['to inside an hour: raw', { to: new Date('2026-01-31T23:30:00Z') }, false],
  ])('%s', (_name, over, fast) => {
    expect(rollupStatement({ ...QUERY, ...over }) !== null).toBe(fast);
    if (over.aggregationType !== 'UNIQUE_COUNT_AGG') expect(answerable({ ...QUERY, ...over })).toBe(fast);
  });

  it('reads one field of one code over the window, every value a typed parameter', () => {
    const built = rollupStatement(QUERY)!;
    expect(squeeze(built.sql)).toContain(
      "FROM usage_hourly WHERE organization_id = {organization:String} AND external_subscription_id = {subscription:String} AND code = {code:String} AND scope = {scope:UInt8} AND field = {field:String} AND hour >= {from:DateTime64(3, 'UTC')} AND hour < {to:DateTime64(3, 'UTC')} HAVING sum(events) > 0",
    );
    expect(built.params).toEqual({
      organization: 'o',
      subscription: 's',
      code: 'c',
      scope: 1,
      field: 'v',
      from: '2026-01-01 00:00:00.000',
      to: '2026-02-01 00:00:00.000',
    });
  });

  it('reads every hour before `to` for a recurring sum, every event of the code for a count', () => {
    expect(rollupStatement({ ...QUERY, recurring: true })!.sql).not.toContain('hour >= {from');
    const count = rollupStatement({ ...QUERY, aggregationType: 'COUNT_AGG', fieldName: '' })!;
    expect(count.params).toMatchObject({ scope: 0, field: '' });
  });
});
