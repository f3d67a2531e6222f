import {
  MAX_FRACTION_DIGITS,
  MAX_INTEGER_DIGITS,
  NUMERIC_VALUE_SQL,
} from '../../../../libs/clickhouse/src/decimals';
import { toClickHouseTime } from '../../../../libs/clickhouse/src/time';
import type { GroupResult, UsageQuery, UsageRow } from './usage-query';
import { inWindows, windowParams } from './window-buckets';

/** Which rows a builder's selection reads, and how. */
export interface SelectionMode {
  /** No lower time bound: recurring metrics read everything before `to`. */
  history: boolean;
  /**
   * Keep one row per transaction_id (the first accepted) in SQL: a sort of every selected row.
   * Without it the SQL assumes each transaction_id appears once and reports `duplicates` when that
   * does not hold (see `perGroup`); the service then asks again with `dedupe`.
   */
  dedupe: boolean;
  /**
   * Threads reading the rows (default 2). 1 when the statement reads the selection twice in
   * parallel: splitting each read again only adds overhead on 2 cores.
   */
  threads?: 1 | 2;
}

/**
 * The selected events S of SPEC §3, as a subquery every builder reads from:
 * organization, subscription, metric code, time window, `filter` (AND across keys, OR within one;
 * a missing key never matches) and `exclude` (any set; inside a set every key; a missing property
 * is ''); with `dedupe`, then one row per transaction_id — the first accepted — so no key is ever
 * counted twice.
 *
 * Columns: timestamp, property_texts, precise_total_amount_cents, field_text (the text of
 * properties[field_name]), group_values (the texts of the grouped_by keys, '' when missing),
 * numeric (field_text is a plain decimal within the limits of libs/clickhouse/src/decimals.ts, so
 * it converts exactly), v (field_text as Decimal(76, 20) when numeric, else NULL), event_order and
 * tx_hash (below). ClickHouse computes only the columns a builder reads: a count never reads the
 * property map when it is not grouped, and only the types that need every value convert them.
 *
 * The filter and exclude conditions are left out when the query has none, and group_values is a
 * constant when it is not grouped: each would read the property map of every row.
 */
export function selection(q: UsageQuery, mode: SelectionMode): string {
  return inWindows(
    q,
    `
    SELECT timestamp, property_texts, precise_total_amount_cents,
           ${groupValues(q)} AS group_values,
           property_texts[{field:String}] AS field_text,
           ${IS_NUMERIC} AS numeric,
           if(numeric, toDecimal256OrNull(field_text, 20), NULL) AS v,
           ${EVENT_ORDER} AS event_order,
           xxh3(transaction_id) AS tx_hash
    FROM events
    WHERE organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND code = {code:String}${mode.history ? '' : `\n      AND timestamp >= {from:DateTime64(3, 'UTC')}`}
      AND timestamp < {to:DateTime64(3, 'UTC')}${filter(q)}${exclude(q)}${mode.dedupe ? DEDUPE : ''}
    SETTINGS ${mode.threads === 1 ? 'max_threads = 1' : CONCURRENT_READ}`,
  );
}

/**
 * The filter, exclude and grouped_by keys are read by index from their array parameters, one
 * condition per key: ClickHouse folds `{keys}[i]` to a constant, whereas a lambda over the arrays
 * (arrayAll, arrayMap) copied them into every row and took longer than the aggregation itself.
 * The SQL depends only on how many keys there are; the values stay parameters.
 */
function groupValues(q: UsageQuery): string {
  if (q.groupedBy.length === 0) return `CAST([], 'Array(String)')`;
  return `[${q.groupedBy.map((_, i) => `property_texts[{group_keys:Array(String)}[${i + 1}]]`).join(', ')}]`;
}

/** AND across keys, OR within one; a missing key never matches. */
function filter(q: UsageQuery): string {
  return q.filter
    .map((_, i) => {
      const key = `{filter_keys:Array(String)}[${i + 1}]`;
      return `
      AND mapContains(property_texts, ${key})
      AND has({filter_values:Array(Array(String))}[${i + 1}], property_texts[${key}])`;
    })
    .join('');
}

/** Drop an event matching any set; a set matches when every key does (a missing property is ''). */
function exclude(q: UsageQuery): string {
  if (q.exclude.length === 0) return '';
  const sets = q.exclude.map((set, j) => {
    const keys = set.map(
      (_, i) =>
        `has({exclude_values:Array(Array(Array(String)))}[${j + 1}][${i + 1}], property_texts[{exclude_keys:Array(Array(String))}[${j + 1}][${i + 1}]])`,
    );
    return keys.length > 0 ? `(${keys.join(' AND ')})` : '1';
  });
  return `
      AND NOT (${sets.join('\n               OR ')})`;
}

/** lago_id only orders two rows accepted in the same microsecond, so every read picks the same. */
const DEDUPE = `
    ORDER BY created_at, lago_id
    LIMIT 1 BY transaction_id`;

/**
 * NUMERIC_VALUE_SQL, with its counted repetitions, took ~5 ms per 100K values in re2. A text of at
 * most SHORT_NUMBER bytes cannot break its digit limits (38 before the point, 20 after it), so for
 * those the plain `-?digits(.digits)?` pattern, ten times cheaper, gives the same answer.
 */
export const SHORT_NUMBER = Math.min(MAX_INTEGER_DIGITS, MAX_FRACTION_DIGITS + 2);
export const PLAIN_NUMBER_SQL = '^-?[0-9]+([.][0-9]+)?$';
export const IS_NUMERIC = `((length(field_text) <= ${SHORT_NUMBER} AND match(field_text, '${PLAIN_NUMBER_SQL}'))
                  OR match(field_text, '${NUMERIC_VALUE_SQL}'))`;

/**
 * (timestamp, created_at) as one Int128, ms · 2^64 + (µs + 2^63): the same order, exact for every
 * Int64 of either, and argMax over it is twice as fast as over the tuple.
 */
export const EVENT_ORDER = `bitShiftLeft(toInt128(toUnixTimestamp64Milli(timestamp)), 64)
                  + (toInt128(toUnixTimestamp64Micro(created_at)) + 9223372036854775808)`;

/**
 * A subscription's 100K rows are below the default threshold (163,840 rows) for reading with more
 * than one thread: two threads take ~20% off (a sum: 27 → 22 ms).
 */
const CONCURRENT_READ = `merge_tree_min_rows_for_concurrent_read = 8192, merge_tree_min_bytes_for_concurrent_read = 0`;

/** One row per group of a builder's statement, as `perGroup` writes it. */
export interface Groups {
  /** The rows aggregated: the selection, or a statement over it. */
  from: string;
  /** The columns after group_values, each an aggregate ending in `AS name`. */
  columns: string[];
  /** Whether a group is reported (e.g. not when none of its values is numeric). */
  keep: string;
  /** The tx_hash of every selected row of the group, whatever it contributes. */
  hashes?: string;
}

/**
 * A builder's statement: one row per group (group_values, then `columns`), and `duplicates`, 1 when
 * two selected rows — in any groups, reported or not — share a tx_hash. When it is 0 every
 * transaction_id is selected once, so the rows are exact without deduping; when it is 1 (two
 * ingestion processes raced on one key, or two ids share a 64-bit hash) the service asks again with
 * `dedupe`. Sorting 100K hashes takes ~3 ms; the dedupe (a sort of every row) took 15–60 ms.
 *
 * Not grouped, that is one aggregation. Grouped, the groups are gathered into one row first so
 * that `duplicates` sees every group's hashes, then spread out again.
 */
export function perGroup(q: UsageQuery, groups: Groups): string {
  if (!q.checkDuplicates) {
    // Keys are unique (see UsageQuery.checkDuplicates): one aggregation, no hashes read or sorted.
    return `
    SELECT group_values, ${groups.columns.join(', ')}, toUInt8(0) AS duplicates
    FROM (${groups.from})
    GROUP BY group_values
    HAVING ${groups.keep}`;
  }
  const hashes = groups.hashes ?? 'groupArray(tx_hash)';
  if (q.groupedBy.length === 0) {
    return `
    SELECT group_values, ${groups.columns.join(', ')},
           ${DUPLICATES(`arraySort(${hashes})`)} AS duplicates
    FROM (${groups.from})
    GROUP BY group_values
    HAVING ${groups.keep}`;
  }
  const names = ['group_values', ...groups.columns.map((c) => c.slice(c.lastIndexOf(' AS ') + 4))];
  return `
    SELECT ${names.map((c, i) => `tupleElement(g, ${i + 1}) AS ${c}`).join(', ')}, ${DUPLICATES('hashes')} AS duplicates
    FROM (
      SELECT groupArrayIf((${names.join(', ')}), keep) AS kept, arraySort(arrayFlatten(groupArray(tx_hashes))) AS hashes
      FROM (
        SELECT group_values, ${groups.columns.join(', ')}, ${hashes} AS tx_hashes, ${groups.keep} AS keep
        FROM (${groups.from})
        GROUP BY group_values
      )
    )
    ARRAY JOIN kept AS g`;
}

/** Whether a sorted array holds a value twice. */
const DUPLICATES = (sorted: string) =>
  `toUInt8(arrayExists((a, b) -> a = b, arrayPopBack(${sorted}), arrayPopFront(${sorted})))`;

/** The parameters of `selection`, every value typed and bound server-side. */
export function selectionParams(q: UsageQuery): Record<string, unknown> {
  return {
    organization: q.organizationId,
    subscription: q.externalSubscriptionId,
    code: q.code,
    field: q.fieldName,
    from: toClickHouseTime(q.from),
    to: toClickHouseTime(q.to),
    group_keys: q.groupedBy,
    filter_keys: q.filter.map((f) => f.key),
    filter_values: q.filter.map((f) => f.values),
    exclude_keys: q.exclude.map((set) => set.map((f) => f.key)),
    exclude_values: q.exclude.map((set) => set.map((f) => f.values)),
    ...windowParams(q),
  };
}

/** Reading for the types whose SQL already computes the exact value. */
export function readPlain(row: UsageRow): GroupResult {
  return {
    value: row.value,
    eventsCount: row.events_count,
    totalAggregatedUnits: '',
    preciseTotalAmountCents: row.precise_total_amount_cents,
  };
}

/** precise_total_amount_cents of the selected events (SPEC §2.3), for dynamic pricing. */
export const AMOUNT_SUM = `ifNull(sum(precise_total_amount_cents), 0)`;
export const AMOUNT = `toString(${AMOUNT_SUM}) AS precise_total_amount_cents`;
/** The same, over the events whose value is numeric (the types that leave the others out of S). */
export const NUMERIC_AMOUNT = `toString(ifNull(sumIf(precise_total_amount_cents, numeric), 0)) AS precise_total_amount_cents`;
