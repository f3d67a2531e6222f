import { BASE_COLUMNS, OPTIONAL_COLUMNS, type BuiltQuery } from './usage-query';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):/g;

/** The names of the `{name:Type}` parameters a statement reads. */
export function placeholders(sql: string): Set<string> {
  return new Set([...sql.matchAll(PLACEHOLDER)].map((m) => m[1]));
}

/**
 * Part `index` of a combined statement: its parameters renamed `p<index>_<name>` (in the SQL and in
 * the params alike, so parts cannot read each other's values), its rows tagged with `part_index` and
 * aligned on one column list ('' for an optional column the builder does not produce).
 */
function part(query: BuiltQuery, index: number): BuiltQuery {
  const names = placeholders(query.sql);
  const unbound = [...names].filter((name) => !(name in query.params));
  if (unbound.length > 0) throw new Error(`query parameters without a value: ${unbound.join(', ')}`);
  const prefix = `p${index}_`;
  const own = new Set(query.columns ?? []);
  const optional = OPTIONAL_COLUMNS.map((c) => (own.has(c) ? c : `'' AS ${c}`));
  return {
    sql: `SELECT toUInt32(${index}) AS part_index, ${[...BASE_COLUMNS, ...optional].join(', ')}
          FROM (${query.sql.replace(PLACEHOLDER, (_m, name: string) => `{${prefix}${name}:`)})`,
    params: Object.fromEntries(
      Object.entries(query.params)
        .filter(([name]) => names.has(name))
        .map(([name, value]) => [`${prefix}${name}`, value]),
    ),
  };
}

/**
 * Several builders' statements as one (UNION ALL): one ClickHouse round trip instead of one per
 * metric. Each row carries `part_index`, the index of the statement it answers.
 */
export function combineQueries(queries: BuiltQuery[]): BuiltQuery {
  if (queries.length === 0) throw new Error('combineQueries: nothing to combine');
  const parts = queries.map(part);
  return {
    sql: parts.map((p) => p.sql).join('\nUNION ALL\n'),
    params: Object.assign({}, ...parts.map((p) => p.params)) as Record<string, unknown>,
  };
}
