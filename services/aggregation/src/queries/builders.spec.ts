import { AGGREGATION_TYPES, type AggregationTypeName } from '../../../../libs/common/src/domain';
import { NUMERIC_VALUE } from '../../../../libs/clickhouse/src/decimals';
import { placeholders } from './combine';
import { AGGREGATION_QUERIES } from './index';
import { PLAIN_NUMBER_SQL, SHORT_NUMBER } from './selection';
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

  it('keeps the first event of each transaction id when asked to dedupe', () => {
    const dedupe = /ORDER BY created_at, lago_id\s+LIMIT 1 BY transaction_id/;
    expect(AGGREGATION_QUERIES[type].build(query(type), true).sql).toMatch(dedupe);
    expect(build(type).sql).not.toMatch(dedupe);
  });

  it('by default trusts each transaction id to be stored once: no hash is read or sorted', () => {
    for (const groupedBy of [[], ['gk-1']]) {
      const { sql } = build(type, { groupedBy });
      // The selection still names tx_hash; ClickHouse computes only the columns that are read.
      expect(sql).not.toMatch(/groupArray\(tx_hash\)|arraySort|arrayExists/);
      expect(sql).toContain('toUInt8(0) AS duplicates');
      expect(sql).toMatch(/GROUP BY group_values\s+HAVING [^\n]+$/);
    }
  });

  it('when checking duplicates, reports whether two selected rows share a transaction hash, over all groups', () => {
    const duplicates = (hashes: string) =>
      `toUInt8(arrayExists((a, b) -> a = b, arrayPopBack(${hashes}), arrayPopFront(${hashes}))) AS duplicates`;
    for (const dedupe of [false, true]) {
      const grouped = AGGREGATION_QUERIES[type].build(query(type, { checkDuplicates: true }), dedupe).sql;
      expect(grouped).toContain('xxh3(transaction_id) AS tx_hash');
      expect(grouped).toContain('arraySort(arrayFlatten(groupArray(tx_hashes))) AS hashes');
      expect(grouped).toContain(duplicates('hashes'));
      // Gathered into one row so that groups left out (keep = 0) still count, then spread out again.
      expect(grouped).toMatch(/groupArrayIf\(\(group_values, value, [^)]*\), keep\) AS kept/);
      expect(grouped).toMatch(/\)\s*ARRAY JOIN kept AS g\s*$/);
      const total = AGGREGATION_QUERIES[type].build(
        query(type, { groupedBy: [], checkDuplicates: true }),
        dedupe,
      ).sql;
      expect(total).toContain(
        duplicates(
          type === 'UNIQUE_COUNT_AGG'
            ? 'arraySort(arrayFlatten(groupArray(hashes)))'
            : 'arraySort(groupArray(tx_hash))',
        ),
      );
      expect(total).toMatch(/GROUP BY group_values\s+HAVING [^\n]+$/);
    }
  });

  it('groups rows by the grouped_by texts, each key read by index', () => {
    const { sql } = build(type);
    expect(sql).toContain(
      '[property_texts[{group_keys:Array(String)}[1]], property_texts[{group_keys:Array(String)}[2]]] AS group_values',
    );
    expect(sql).toMatch(/GROUP BY group_values(, field_text)?\s/);
  });

  it('does not read the property map for group values when not grouped', () => {
    const { sql } = build(type, { groupedBy: [] });
    expect(sql).not.toContain('{group_keys:Array(String)}');
    expect(sql).toContain(`CAST([], 'Array(String)') AS group_values`);
  });

  it('filters and excludes with one condition per key, the keys and values read by index', () => {
    const { sql } = build(type, {
      filter: [
        { key: 'fk-1', values: ['fv-1'] },
        { key: 'fk-2', values: ['fv-2'] },
      ],
      exclude: [
        [{ key: 'ek-1', values: ['ev-1'] }],
        [
          { key: 'ek-2', values: ['ev-2'] },
          { key: 'ek-3', values: ['ev-3'] },
        ],
      ],
    });
    const filter = (i: number) =>
      `\n      AND mapContains(property_texts, {filter_keys:Array(String)}[${i}])\n` +
      `      AND has({filter_values:Array(Array(String))}[${i}], property_texts[{filter_keys:Array(String)}[${i}]])`;
    const excluded = (j: number, i: number) =>
      `has({exclude_values:Array(Array(Array(String)))}[${j}][${i}], property_texts[{exclude_keys:Array(Array(String))}[${j}][${i}]])`;
    expect(sql).toContain(filter(1));
    expect(sql).toContain(filter(2));
    expect(sql).toContain(
      `\n      AND NOT ((${excluded(1, 1)})\n               OR (${excluded(2, 1)} AND ${excluded(2, 2)}))`,
    );
    expect(sql).not.toMatch(/arrayAll|arrayExists\(\(ks|arrayMap/);
  });

  it('leaves out the filter and exclude conditions when there are none', () => {
    const { sql } = build(type, { filter: [], exclude: [] });
    expect(sql).not.toContain('filter_');
    expect(sql).not.toContain('exclude_');
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
    ['COUNT_AGG', ['toString(count()) AS value', 'toString(count()) AS events_count']],
    ['SUM_AGG', ['toString(sum(v)) AS value', 'toString(countIf(numeric)) AS events_count']],
    ['MAX_AGG', ['toString(max(v)) AS value', 'toString(countIf(numeric)) AS events_count']],
    [
      'LATEST_AGG',
      [
        'toString(toDecimal256OrNull(argMaxIf(field_text, event_order, numeric), 20)) AS value',
        'toString(countIf(numeric)) AS events_count',
      ],
    ],
    ['UNIQUE_COUNT_AGG', ["argMax(property_texts['operation_type'] != 'remove', event_order)"]],
    [
      'WEIGHTED_SUM_AGG',
      [
        "toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(timestamp)",
        "toString(countIf(timestamp >= {from:DateTime64(3, 'UTC')} AND numeric)) AS events_count",
      ],
    ],
  ])('%s', (type, fragments) => {
    const { sql } = build(type);
    for (const fragment of fragments) expect(sql).toContain(fragment);
  });

  it.each<[AggregationTypeName, string]>([
    ['COUNT_AGG', '1'],
    ['SUM_AGG', 'countIf(numeric) > 0'],
    ['MAX_AGG', 'countIf(numeric) > 0'],
    ['LATEST_AGG', 'countIf(numeric) > 0'],
    ['WEIGHTED_SUM_AGG', 'countIf(numeric) > 0'],
    ['UNIQUE_COUNT_AGG', 'sum(events) > 0'],
  ])('%s reports a group when %s', (type, keep) => {
    expect(build(type, { checkDuplicates: true }).sql).toContain(`${keep} AS keep`);
    expect(build(type).sql).toContain(`HAVING ${keep}`);
    expect(build(type, { groupedBy: [] }).sql).toContain(`HAVING ${keep}`);
  });

  it('a unique count not grouped reads the amount and hashes in a second branch, grouped per value', () => {
    const total = build('UNIQUE_COUNT_AGG', { groupedBy: [] }).sql;
    expect(total).toContain('UNION ALL');
    expect(total).toContain('GROUP BY field_text');
    const grouped = build('UNIQUE_COUNT_AGG').sql;
    expect(grouped).not.toContain('UNION ALL');
    expect(grouped).toContain('GROUP BY group_values, field_text');
  });

  it('orders events by (timestamp, created_at) as one Int128', () => {
    expect(build('LATEST_AGG').sql).toMatch(
      /bitShiftLeft\(toInt128\(toUnixTimestamp64Milli\(timestamp\)\), 64\)\s*\+ \(toInt128\(toUnixTimestamp64Micro\(created_at\)\) \+ 9223372036854775808\) AS event_order/,
    );
  });

  it('the amount of the types that leave non-numeric values out counts only numeric ones', () => {
    for (const type of ['SUM_AGG', 'MAX_AGG', 'LATEST_AGG'] as const)
      expect(build(type).sql).toContain('sumIf(precise_total_amount_cents, numeric)');
    expect(build('WEIGHTED_SUM_AGG').sql).toContain(
      "sumIf(precise_total_amount_cents, timestamp >= {from:DateTime64(3, 'UTC')} AND numeric)",
    );
  });

  it('casts the value to Decimal(76, 20) only when it is a plain decimal within the limits', () => {
    const { sql } = build('SUM_AGG');
    expect(sql).toContain('property_texts[{field:String}] AS field_text');
    expect(sql).toMatch(
      /\(\(length\(field_text\) <= 22 AND match\(field_text, '\^-\?\[0-9\]\+\(\[\.\]\[0-9\]\+\)\?\$'\)\)\s+OR match\(field_text, '\^-\?0\*\[0-9\]\{1,38\}\(\[\.\]\[0-9\]\{1,20\}0\*\)\?\$'\)\)/,
    );
    expect(sql).toContain('AS numeric');
    expect(sql).toContain('if(numeric, toDecimal256OrNull(field_text, 20), NULL) AS v');
  });

  it('the short check answers as the full pattern for every text of at most SHORT_NUMBER bytes', () => {
    const plain = new RegExp(PLAIN_NUMBER_SQL);
    const check = (text: string) =>
      (text.length <= SHORT_NUMBER && plain.test(text)) || NUMERIC_VALUE.test(text);
    const digits = (n: number, d = '9') => d.repeat(n);
    const edges = [
      digits(SHORT_NUMBER),
      `-${digits(SHORT_NUMBER - 1)}`,
      `0.${digits(SHORT_NUMBER - 2)}`,
      `-0.${digits(SHORT_NUMBER - 3)}`,
      `${digits(38)}`,
      `${digits(39)}`,
      `1.${digits(20)}`,
      `1.${digits(21)}`,
      `1.${digits(20)}000`,
      `000${digits(38)}`,
      '',
      '-',
      '.5',
      '5.',
      '+1',
      '1e5',
      ' 1',
      '1 ',
      '-0',
      '0.0',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '0123456789.-';
    const randoms = Array.from({ length: 20_000 }, () =>
      Array.from(
        { length: Math.floor(random() * 30) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join(''),
    );
    for (const text of [...edges, ...randoms])
      expect([text, check(text)]).toEqual([text, NUMERIC_VALUE.test(text)]);
  });

  it('declares the optional columns it produces', () => {
    expect(build('WEIGHTED_SUM_AGG').columns).toEqual(['initial_level', 'in_window_delta', 'level_ms']);
    for (const type of AGGREGATION_TYPES.filter((t) => t !== 'WEIGHTED_SUM_AGG'))
      expect(build(type).columns).toBeUndefined();
  });
});
