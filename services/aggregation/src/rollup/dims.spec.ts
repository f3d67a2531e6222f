import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MetricDefinition } from '../../../../libs/common/src/domain';
import { IS_NUMERIC } from '../queries/selection';
import type { UsageQuery } from '../queries/usage-query';
import { definitionKey, definitionOf, dimsAnswerable, generationId } from './dims-definition';
import { backfillStatement, dimsStatements, AGGREGATES, GROUP_BY, ROW } from './dims.query';

const MIGRATION = readFileSync(
  path.resolve(__dirname, '../../../../libs/clickhouse/migrations/0006_usage_dims.sql'),
  'utf8',
);
const squeeze = (sql: string) => sql.replace(/\s+/g, ' ').trim();

const METRIC: MetricDefinition = {
  id: 'm',
  organizationId: 'o',
  code: 'c',
  name: 'c',
  description: '',
  aggregationType: 'SUM_AGG',
  fieldName: 'v',
  recurring: false,
  weightedInterval: null,
  roundingFunction: null,
  roundingPrecision: null,
  expression: '',
  filters: [
    { key: 'region', values: ['eu'] },
    { key: 'cloud', values: ['aws', 'gcp'] },
  ],
  createdAt: new Date(0),
};

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
  groupedBy: ['region'],
  chargesDurationDays: null,
};

describe('the views of migration 0006 and the backfill aggregate alike', () => {
  it.each([
    ['aggregates', AGGREGATES],
    ['row', ROW],
    ['group by', `GROUP BY ${GROUP_BY};`],
  ])('the migration holds the %s', (_name, text) => {
    expect(squeeze(MIGRATION)).toContain(squeeze(text));
  });

  it('call a value numeric by the rule of the raw path', () => {
    const rule = squeeze(IS_NUMERIC).replace(/^\(\(/, '(');
    expect(squeeze(ROW)).toContain(rule.slice(0, -1));
  });

  it('the backfill reads the events accepted before `since`, the view those from it on', () => {
    const built = backfillStatement(definitionOf(METRIC), '42', new Date('2026-01-01T00:00:00.5Z'));
    expect(squeeze(built.sql)).toContain('e.created_at < d.def_since');
    expect(squeeze(MIGRATION).split('e.created_at >= d.def_since')).toHaveLength(2);
    expect(built.params).toEqual({
      organization: 'o',
      code: 'c',
      definition: '42',
      field: 'v',
      dimensions: ['cloud', 'region'],
      per_value: 0,
      since: '2026-01-01 00:00:00.500000',
    });
    expect(squeeze(built.sql)).toMatch(/^INSERT INTO usage_dims /);
    const unique = definitionOf({ ...METRIC, aggregationType: 'UNIQUE_COUNT_AGG' });
    expect(backfillStatement(unique, '42', new Date(0)).params.per_value).toBe(1);
    expect(built.params.per_value).toBe(0);
  });
});

describe('definitions', () => {
  it('dimensions are the declared filter keys, sorted, each once', () => {
    expect(definitionOf(METRIC)).toMatchObject({
      dimensions: ['cloud', 'region'],
      perValue: false,
      fieldName: 'v',
    });
    const reordered = { ...METRIC, filters: [...METRIC.filters].reverse() };
    expect(definitionOf(reordered).key).toBe(definitionOf(METRIC).key);
  });

  it.each<[string, Partial<MetricDefinition>]>([
    ['another field', { fieldName: 'w' }],
    ['another filter key', { filters: [{ key: 'region', values: ['eu'] }] }],
    ['UNIQUE_COUNT (per value)', { aggregationType: 'UNIQUE_COUNT_AGG' }],
    ['another code', { code: 'd' }],
    ['another organization', { organizationId: 'p' }],
  ])('%s: another key', (_name, over) => {
    expect(definitionOf({ ...METRIC, ...over }).key).not.toBe(definitionOf(METRIC).key);
  });

  it.each<[string, Partial<MetricDefinition>]>([
    [
      'filter values',
      {
        filters: [
          { key: 'region', values: ['us'] },
          { key: 'cloud', values: ['x'] },
        ],
      },
    ],
    ['MAX instead of SUM', { aggregationType: 'MAX_AGG' }],
    ['recurring, rounding', { recurring: true, roundingFunction: 'ROUND', roundingPrecision: 2 }],
    ['id (deleted and re-created alike)', { id: 'n' }],
  ])('%s: the same key (the aggregates do not depend on it)', (_name, over) => {
    expect(definitionOf({ ...METRIC, ...over }).key).toBe(definitionOf(METRIC).key);
  });

  it('keys and generation ids are UInt64 decimal strings; generations of a key differ by nonce', () => {
    const key = definitionOf(METRIC).key;
    expect(key).toMatch(/^\d{1,20}$/);
    expect(BigInt(key) < 2n ** 64n).toBe(true);
    expect(generationId(key, 'a')).not.toBe(generationId(key, 'b'));
    expect(generationId(key, 'a')).toBe(generationId(key, 'a'));
    const d = definitionOf(METRIC);
    expect(
      definitionKey({
        organizationId: d.organizationId,
        code: d.code,
        fieldName: d.fieldName,
        dimensions: d.dimensions,
        perValue: d.perValue,
      }),
    ).toBe(key);
  });
});

describe('dimsAnswerable', () => {
  const d = definitionOf(METRIC);
  it.each<[string, Partial<UsageQuery>, boolean]>([
    ['grouped by a dimension', {}, true],
    [
      'grouped by both, filtered, excluding',
      {
        groupedBy: ['cloud', 'region'],
        filter: [{ key: 'region', values: ['eu'] }],
        exclude: [[{ key: 'cloud', values: [''] }]],
      },
      true,
    ],
    ['filtered only', { groupedBy: [], filter: [{ key: 'cloud', values: ['aws'] }] }, true],
    ['recurring', { recurring: true }, true],
    ['ungrouped and unfiltered: usage_hourly answers it', { groupedBy: [] }, false],
    ['grouped by an undeclared key', { groupedBy: ['zone'] }, false],
    ['filtered by an undeclared key', { filter: [{ key: 'zone', values: ['a'] }] }, false],
    ['excluding by an undeclared key', { exclude: [[{ key: 'zone', values: ['a'] }]] }, false],
    ['from inside an hour', { from: new Date('2026-01-01T00:00:01Z') }, false],
    ['to inside an hour', { to: new Date('2026-01-31T23:59:59Z') }, false],
    ['bucketed windows', { windowStarts: [new Date('2026-01-01T00:00:00Z')] }, false],
    ['another field than the definition', { fieldName: 'w' }, false],
    ['UNIQUE_COUNT against a non per-value definition', { aggregationType: 'UNIQUE_COUNT_AGG' }, false],
  ])('%s', (_name, over, expected) => {
    expect(dimsAnswerable({ ...QUERY, ...over }, d)).toBe(expected);
  });

  it('UNIQUE_COUNT, even ungrouped and unfiltered, from its per-value definition', () => {
    const unique = definitionOf({ ...METRIC, aggregationType: 'UNIQUE_COUNT_AGG' });
    expect(dimsAnswerable({ ...QUERY, aggregationType: 'UNIQUE_COUNT_AGG', groupedBy: [] }, unique)).toBe(
      true,
    );
    expect(dimsAnswerable({ ...QUERY, groupedBy: ['region'] }, unique)).toBe(false);
  });
});

describe('dimsStatements', () => {
  const target = { definition: definitionOf(METRIC), generationId: '7' };

  it('grouped: the total, then the groups, like the raw builders; every value a parameter', () => {
    const q: UsageQuery = {
      ...QUERY,
      groupedBy: ['region'],
      filter: [{ key: 'cloud', values: ['aws', ''] }],
      exclude: [[{ key: 'region', values: [''] }]],
    };
    const [total, groups] = dimsStatements(q, target);
    expect(squeeze(total.sql)).not.toContain('GROUP BY');
    expect(squeeze(groups.sql)).toContain('GROUP BY group_values');
    expect(squeeze(groups.sql)).toContain(
      '[substring(dim_values[{group_dims:Array(UInt32)}[1]], 2)] AS group_values',
    );
    expect(squeeze(total.sql)).toContain(
      'AND has({filter_values:Array(Array(String))}[1], dim_values[{filter_dims:Array(UInt32)}[1]])',
    );
    expect(squeeze(total.sql)).toContain(
      'AND NOT ((has({exclude_values:Array(Array(Array(String)))}[1][1], substring(dim_values[{exclude_dims:Array(Array(UInt32))}[1][1]], 2))))',
    );
    expect(total.params).toMatchObject({
      organization: 'o',
      subscription: 's',
      code: 'c',
      definition: '7',
      group_dims: [2],
      // Present values carry '=': a missing key ('') never matches a filter, even on ''.
      filter_dims: [1],
      filter_values: [['=aws', '=']],
      exclude_dims: [[2]],
      exclude_values: [[['']]],
      from: '2026-01-01 00:00:00.000',
      to: '2026-02-01 00:00:00.000',
    });
    for (const sql of [total.sql, groups.sql]) expect(sql).not.toMatch(/'(eu|aws|o|s|c)'/);
  });

  it('say when the generation is no longer ready, even with nothing selected', () => {
    const [total] = dimsStatements(
      { ...QUERY, groupedBy: [], filter: [{ key: 'region', values: ['eu'] }] },
      target,
    );
    expect(squeeze(total.sql)).toContain('toUInt8(NOT ((SELECT max(version) FROM usage_rollup_definitions');
    expect(squeeze(total.sql)).toMatch(/HAVING sum\(n_events\) > 0 OR duplicates = 1$/);
  });

  it.each<[UsageQuery['aggregationType'], boolean, string]>([
    ['COUNT_AGG', false, 'toString(sum(events)) AS value'],
    ['SUM_AGG', false, 'toString(sum(sum_v)) AS value'],
    ['SUM_AGG', true, 'toString(sum(sum_v)) AS value'],
    ['MAX_AGG', false, 'toString(max(max_v)) AS value'],
    ['LATEST_AGG', false, 'toString(argMaxMerge(latest)) AS value'],
    ['WEIGHTED_SUM_AGG', true, 'AS level_ms'],
    ['UNIQUE_COUNT_AGG', false, 'toUInt64(argMaxMerge(active)) AS active'],
    ['UNIQUE_COUNT_AGG', true, 'toUInt64(argMaxMerge(active)) AS active'],
  ])(
    '%s (recurring %s): its aggregate; history without a lower bound',
    (aggregationType, recurring, text) => {
      const [total] = dimsStatements({ ...QUERY, aggregationType, recurring }, target);
      expect(squeeze(total.sql)).toContain(text);
      const history = recurring && aggregationType !== 'COUNT_AGG';
      expect(total.sql.includes(`AND hour >= {from:DateTime64(3, 'UTC')}`)).toBe(!history);
    },
  );
});
