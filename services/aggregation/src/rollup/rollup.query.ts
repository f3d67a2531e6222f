import type { AggregationTypeName } from '../../../../libs/common/src/domain';
import { toClickHouseTime } from '../../../../libs/clickhouse/src/time';
import type { BuiltQuery, OptionalColumn, UsageQuery } from '../queries/usage-query';
import { cutHours, EVERY_EVENT, HOUR_MS, hourRows, NUMERIC_FIELD } from './hour-rows';
import { perWindow } from './rollup-windows';

export { HOUR_MS } from './hour-rows';

/**
 * The fast path: a usage question answered from `usage_hourly`, the exact per-hour aggregates that
 * the events INSERT writes through a materialized view (libs/clickhouse/migrations/0005), in one
 * statement. Each statement returns the same columns, with the same exact values, as the type's raw
 * builder in `queries/` does, so the service reads both with the same `read` (and rounds the final
 * value only).
 *
 * Answerable (`rollupStatement` returns a statement):
 * - COUNT, SUM, MAX, LATEST, WEIGHTED_SUM, recurring or not (recurring reads all hours before `to`);
 * - not grouped, no `filter`, no `exclude` (the aggregates keep no property values);
 * - any `from` and `to`: an hour that `from`, `to` or a window start cuts is read from its raw
 *   events, every other hour from the aggregates (rollup/hour-rows.ts);
 * - with `windowStarts` (SPEC §2.3 usage over time), one row per window that has one, its first
 *   group value the window's 1-based number, each row what the raw path answers for that window
 *   asked alone (rollup/rollup-windows.ts): recurring history and weighted-sum bounds included.
 * UNIQUE_COUNT always takes the raw path (it needs, per value, its last operation).
 *
 * `windowStarts`, when set, are ascending, the first equal to `from`, all before `to` (as
 * usage.service.ts builds them from windows.ts). Parameters: organization, subscription, code,
 * scope, field, from and to (DateTime64(3) text), window_ends, window_starts and cut_hours (epoch
 * ms, Array(Int64)). Returns null, never throws, when the aggregates cannot answer.
 *
 * Assumes each transaction_id is stored once (ingestion's guarantee; README "Exactly once"): the raw
 * path notices a key stored twice and counts it once, an aggregate cannot.
 */
export function rollupStatement(q: UsageQuery): BuiltQuery | null {
  const build = ROLLUP_QUERIES[q.aggregationType];
  if (build === null || !answerable(q)) return null;
  return statement(q, build(q));
}

/** Whether `rollupStatement` answers the question, without building its SQL. */
export function rollupAnswers(q: UsageQuery): boolean {
  return ROLLUP_QUERIES[q.aggregationType] !== null && answerable(q);
}

/** Types whose windows the raw path also answers in one statement (usage.service.ts BUCKETED_TYPES). */
const RAW_BUCKETED: ReadonlySet<AggregationTypeName> = new Set([
  'COUNT_AGG',
  'SUM_AGG',
  'MAX_AGG',
  'LATEST_AGG',
]);

/**
 * Windows that cut most of the hours (Asia/Kolkata's HOUR windows cut every one) leave the
 * aggregates little to answer: every event of a cut hour is read and aggregated per instant, ~2×
 * the raw path's one bucketed statement (queries/window-buckets.ts). Those take the raw path when it
 * has that one statement; recurring and weighted sums, which it asks window by window, stay fast.
 */
function mostlyCut(q: UsageQuery): boolean {
  if (!q.windowStarts || q.recurring || !RAW_BUCKETED.has(q.aggregationType)) return false;
  const hours = (q.to.getTime() - q.from.getTime()) / HOUR_MS;
  return cutHours([...q.windowStarts.map((d) => d.getTime()), q.to.getTime()]).length * 2 > hours;
}

function statement(q: UsageQuery, shape: RollupShape): BuiltQuery {
  const starts = (q.windowStarts ?? [q.from]).map((d) => d.getTime());
  const cut = cutHours([...starts, q.to.getTime()]);
  const rows = hourRows({ scope: shape.scope, history: shape.history, cut: cut.length > 0 });
  const windowed = q.windowStarts !== undefined;
  return {
    sql: perWindow({ rows, windowed, running: shape.history, columns: shape.columns, keep: shape.keep }),
    params: {
      organization: q.organizationId,
      subscription: q.externalSubscriptionId,
      code: q.code,
      scope: shape.scope,
      field: shape.scope === EVERY_EVENT ? '' : q.fieldName,
      from: toClickHouseTime(q.from),
      to: toClickHouseTime(q.to),
      ...(cut.length > 0 ? { cut_hours: cut } : {}),
      ...(windowed ? { window_starts: starts } : {}),
      window_ends: [...starts.slice(1), q.to.getTime()],
    },
    ...(shape.optional ? { columns: shape.optional } : {}),
  };
}

/**
 * Whether the aggregates hold what the question needs (any type but UNIQUE_COUNT: see
 * ROLLUP_QUERIES), and answer it faster than the raw path (`mostlyCut`).
 */
export function answerable(q: UsageQuery): boolean {
  return q.groupedBy.length === 0 && q.filter.length === 0 && q.exclude.length === 0 && !mostlyCut(q);
}

/** What a type reads, and its columns over one window's numbers (rollup-windows.ts `perWindow`). */
interface RollupShape {
  scope: number;
  /** Reads every hour before `to`, and needs the running sums: a recurring SUM or WEIGHTED_SUM. */
  history: boolean;
  /** After group_values: value, events_count, precise_total_amount_cents and the optional ones. */
  columns: string[];
  /** Whether a window has a row (the raw builder's `keep`). */
  keep: string;
  optional?: readonly OptionalColumn[];
}

type RollupBuilder = ((q: UsageQuery) => RollupShape) | null;

/**
 * Per window, `w_*` are its own numbers and `through_*` those of every row up to its end (history
 * included): a recurring sum is the latter (rollup-windows.ts).
 */
const overNumeric = (value: string) => (): RollupShape => ({
  scope: NUMERIC_FIELD,
  history: false,
  columns: [`toString(${value}) AS value`, ...own('w')],
  keep: 'w_events > 0',
});

const own = (prefix: 'w' | 'through') => [
  `toString(${prefix}_events) AS events_count`,
  `toString(${prefix}_amount) AS precise_total_amount_cents`,
];

/** SUM: Σ v of the window; recurring, of everything before the window's end. */
function sum(q: UsageQuery): RollupShape {
  const prefix = q.recurring ? 'through' : 'w';
  return {
    scope: NUMERIC_FIELD,
    history: q.recurring,
    columns: [`toString(${prefix}_v) AS value`, ...own(prefix)],
    keep: `${prefix}_events > 0`,
  };
}

/**
 * WEIGHTED_SUM (weighted-sum.query.ts): the same three decimals as the raw builder, read by its
 * `read`, so the one division happens in the same place. level_ms = Σ v(e) × (end − t(e)) over the
 * window's events = Σ per row sum_v × (end − hour_start) − sum_v_offset (rollup-windows.ts); the
 * initial level of a recurring metric is Σ v before the window's start, 0 otherwise.
 */
function weightedSum(q: UsageQuery): RollupShape {
  return {
    scope: NUMERIC_FIELD,
    history: q.recurring,
    columns: [
      `'' AS value`,
      `toString(${q.recurring ? 'through_v - w_v' : 'toDecimal256(0, 20)'}) AS initial_level`,
      `toString(w_v) AS in_window_delta`,
      `toString(w_level_ms) AS level_ms`,
      ...own('w'),
    ],
    keep: q.recurring ? 'through_events > 0' : 'w_events > 0',
    optional: ['initial_level', 'in_window_delta', 'level_ms'],
  };
}

/** One entry per type; null: always the raw path. A new type does not compile until decided. */
export const ROLLUP_QUERIES = {
  COUNT_AGG: (): RollupShape => ({
    scope: EVERY_EVENT,
    history: false,
    columns: [`toString(w_events) AS value`, ...own('w')],
    keep: 'w_events > 0',
  }),
  SUM_AGG: sum,
  MAX_AGG: overNumeric('w_max'),
  LATEST_AGG: overNumeric('w_latest'),
  WEIGHTED_SUM_AGG: weightedSum,
  UNIQUE_COUNT_AGG: null,
} satisfies Record<AggregationTypeName, RollupBuilder>;
