import { AGGREGATION_TYPES, type AggregationTypeName } from '../../../../libs/common/src/domain';
import { placeholders } from './combine';
import { AGGREGATION_QUERIES } from './index';
import type { UsageQuery } from './usage-query';

/** Distinct input values, so the test can prove none of them reaches the SQL text. */
function query(type: AggregationTypeName, more: Partial<UsageQuery> = {}): UsageQuery {
  return {
    organizationId: 'org-7f3a',
    externalSubscriptionId: "sub-x9'; DROP TABLE events; --",
    code: 'code-q1',
    aggregationType: type,
    fieldName: 'field-z',
    recurring: false,
    from: new Date('2026-01-01T00:00:00.000Z'),
    to: new Date('2026-01-11T00:00:00.000Z'),
    filter: [{ key: 'fk-1', values: ['fv-1', 'fv-2'] }],
    exclude: [[{ key: 'ek-1', values: ['ev-1'] }], [{ key: 'ek-2', values: ['ev-2', 'ev-3'] }]],
    groupedBy: ['gk-1', 'gk-2'],
    chargesDurationDays: 31,
    ...more,
  };
}

const INPUT_VALUES = [
  'org-7f3a',
  'sub-x9',
  'DROP TABLE',
  'code-q1',
  'field-z',
  'fk-1',
  'fv-',
  'ek-',
  'ev-',
  'gk-1',
];
const LOWER_BOUND = /AND timestamp >= \{from:DateTime64\(3, 'UTC'\)\}/;

const build = (type: AggregationTypeName, more: Partial<UsageQuery> = {}) =>
  AGGREGATION_QUERIES[type].build(query(type, more));

describe.each(AGGREGATION_TYPES)('%s query builder', (type) => {
  it('binds every value as a typed parameter, exactly these', () => {
    expect(build(type).params).toEqual({
      organization: 'org-7f3a',
      subscription: "sub-x9'; DROP TABLE events; --",
      code: 'code-q1',
      field: 'field-z',
      from: '2026-01-01 00:00:00.000',
      to: '2026-01-11 00:00:00.000',
      group_keys: ['gk-1', 'gk-2'],
      filter_keys: ['fk-1'],
      filter_values: [['fv-1', 'fv-2']],
      exclude_keys: [['ek-1'], ['ek-2']],
      exclude_values: [[['ev-1']], [['ev-2', 'ev-3']]],
    });
  });

  it.each([false, true])('splices no input value into the SQL text (recurring %s)', (recurring) => {
    const { sql } = build(type, { recurring });
    for (const value of INPUT_VALUES) expect(sql).not.toContain(value);
    expect(sql).not.toContain('2026');
  });

  it('reads only parameters it is given, and scopes to organization, subscription, code and to', () => {
    const { sql, params } = build(type);
    expect([...placeholders(sql)].filter((name) => !(name in params))).toEqual([]);
    for (const column of ['organization_id', 'external_subscription_id', 'code'])
      expect(sql).toMatch(new RegExp(`${column} = \\{\\w+:String\\}`));
    expect(sql).toContain("timestamp < {to:DateTime64(3, 'UTC')}");
  });

  it('keeps the first event of each transaction id', () => {
    expect(build(type).sql).toMatch(/ORDER BY created_at\s+LIMIT 1 BY transaction_id/);
  });

  it('groups rows by the grouped_by texts', () => {
    const { sql } = build(type);
    expect(sql).toContain('arrayMap(k -> property_texts[k], {group_keys:Array(String)}) AS group_values');
    expect(sql).toMatch(/GROUP BY group_values\s*$/);
  });
});

describe('the lower time bound (SPEC §3.2, §3.5, §3.6: recurring reads all history before to)', () => {
  it.each<[AggregationTypeName, boolean, boolean]>([
    ['COUNT_AGG', false, true],
    ['SUM_AGG', false, true],
    ['SUM_AGG', true, false],
    ['MAX_AGG', false, true],
    ['LATEST_AGG', false, true],
    ['UNIQUE_COUNT_AGG', false, true],
    ['UNIQUE_COUNT_AGG', true, false],
    ['WEIGHTED_SUM_AGG', false, true],
    ['WEIGHTED_SUM_AGG', true, false],
  ])('%s recurring=%s: selection bounded below by from: %s', (type, recurring, bounded) => {
    expect(LOWER_BOUND.test(build(type, { recurring }).sql)).toBe(bounded);
  });

  it('a recurring sum does not read from at all', () => {
    const { sql } = build('SUM_AGG', { recurring: true });
    expect(placeholders(sql).has('from')).toBe(false);
  });

  it('a recurring weighted sum still splits history (initial level) from the window at from', () => {
    const { sql } = build('WEIGHTED_SUM_AGG', { recurring: true });
    expect(sql).toContain("sumIf(v, timestamp < {from:DateTime64(3, 'UTC')})) AS initial_level");
    expect(sql).toContain("sumIf(v, timestamp >= {from:DateTime64(3, 'UTC')})) AS in_window_delta");
  });
});

describe('what each type computes', () => {
  it.each<[AggregationTypeName, string[]]>([
    ['COUNT_AGG', ['toString(count()) AS value']],
    ['SUM_AGG', ['toString(sum(v)) AS value', 'WHERE v IS NOT NULL']],
    ['MAX_AGG', ['toString(max(v)) AS value', 'WHERE v IS NOT NULL']],
    ['LATEST_AGG', ['argMax(v, (timestamp, created_at))', 'WHERE v IS NOT NULL']],
    ['UNIQUE_COUNT_AGG', ["argMax(property_texts['operation_type'], (timestamp, created_at)) != 'remove'"]],
    [
      'WEIGHTED_SUM_AGG',
      ["toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(timestamp)"],
    ],
  ])('%s', (type, fragments) => {
    const { sql } = build(type);
    for (const fragment of fragments) expect(sql).toContain(fragment);
  });

  it('casts the value to Decimal(76, 20) only when it is a plain decimal within the limits', () => {
    const { sql } = build('SUM_AGG');
    expect(sql).toContain("if(match(property_texts[{field:String}], '^-?0*[0-9]{1,38}([.][0-9]{1,20}0*)?$')");
    expect(sql).toContain('toDecimal256OrNull(property_texts[{field:String}], 20)');
  });

  it('declares the optional columns it produces', () => {
    expect(build('WEIGHTED_SUM_AGG').columns).toEqual(['initial_level', 'in_window_delta', 'level_ms']);
    for (const type of AGGREGATION_TYPES.filter((t) => t !== 'WEIGHTED_SUM_AGG'))
      expect(build(type).columns).toBeUndefined();
  });
});
