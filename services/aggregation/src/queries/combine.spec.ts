import { combineQueries, placeholders } from './combine';
import type { BuiltQuery } from './usage-query';

const plain: BuiltQuery = {
  sql: `SELECT group_values, toString(count()) AS value FROM events WHERE code = {code:String} AND a = {a:Array(String)}`,
  params: { code: 'c1', a: ['x'], unused: 'u' },
};
const weighted: BuiltQuery = {
  sql: `SELECT '' AS value, x AS initial_level FROM events WHERE code = {code:String} AND t < {to:DateTime64(3, 'UTC')}`,
  params: { code: 'c2', to: '2026-01-11 00:00:00.000' },
  columns: ['initial_level'],
};

describe('placeholders', () => {
  it.each([
    ['{a:String} and {b_2:Array(Array(String))}', ['a', 'b_2']],
    ["'^[0-9]{1,38}([.][0-9]{1,20})?$' {x:UInt8} {x:UInt8}", ['x']],
    ['no parameters', []],
  ])('%s', (sql, names) => {
    expect([...placeholders(sql)]).toEqual(names);
  });
});

describe('combineQueries (one round trip for several statements)', () => {
  const combined = combineQueries([plain, weighted]);

  it('renames each statement’s parameters by its index, in the SQL and in the params', () => {
    expect(combined.params).toEqual({
      p0_code: 'c1',
      p0_a: ['x'],
      p1_code: 'c2',
      p1_to: '2026-01-11 00:00:00.000',
    });
    expect([...placeholders(combined.sql)].sort()).toEqual(['p0_a', 'p0_code', 'p1_code', 'p1_to']);
  });

  it('tags rows with the statement index and aligns the columns', () => {
    const branches = combined.sql.split('\nUNION ALL\n');
    expect(branches).toHaveLength(2);
    expect(branches[0]).toContain(
      "SELECT toUInt32(0) AS part_index, group_values, value, events_count, precise_total_amount_cents, duplicates, '' AS initial_level, '' AS in_window_delta, '' AS level_ms",
    );
    expect(branches[1]).toContain(
      "SELECT toUInt32(1) AS part_index, group_values, value, events_count, precise_total_amount_cents, duplicates, initial_level, '' AS in_window_delta, '' AS level_ms",
    );
    expect(branches[1]).toContain("t < {p1_to:DateTime64(3, 'UTC')}");
  });

  it('keeps non-parameter braces (regular expressions) as they are', () => {
    const regex: BuiltQuery = { sql: "match(x, '^[0-9]{1,38}$') AND y = {y:String}", params: { y: 'v' } };
    expect(combineQueries([regex]).sql).toContain("match(x, '^[0-9]{1,38}$') AND y = {p0_y:String}");
  });

  it('refuses a statement that reads a parameter it was not given', () => {
    expect(() => combineQueries([{ sql: 'SELECT {missing:String}', params: {} }])).toThrow(
      'query parameters without a value: missing',
    );
  });

  it('refuses to combine nothing', () => {
    expect(() => combineQueries([])).toThrow('nothing to combine');
  });
});
