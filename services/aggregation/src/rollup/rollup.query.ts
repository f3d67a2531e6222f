import type { AggregationTypeName } from '../../../../libs/common/src/domain';
import { toClickHouseTime } from '../../../../libs/clickhouse/src/time';
import type { BuiltQuery, UsageQuery } from '../queries/usage-query';

export const HOUR_MS = 3_600_000;

/**
 * The fast path: a usage question answered from `usage_hourly`, the exact per-hour aggregates that
 * the events INSERT writes through a materialized view (libs/clickhouse/migrations/0005). Each
 * statement returns the same columns, with the same exact values, as the type's raw builder in
 * `queries/` does, so the service reads both with the same `read` (and rounds the final value only).
 *
 * Answerable (`rollupStatement` returns a statement):
 * - COUNT, SUM, MAX, LATEST, WEIGHTED_SUM, recurring or not (recurring reads all hours before `to`);
 * - not grouped, no `filter`, no `exclude` (the aggregates keep no property values);
 * - `from` and `to` on whole UTC hours (a window that cuts an hour takes the raw path, whole).
 * UNIQUE_COUNT always takes the raw path (it needs, per value, its last operation).
 *
 * Assumes each transaction_id is stored once (ingestion's guarantee; README "Exactly once"): the raw
 * path notices a key stored twice and counts it once, an aggregate cannot.
 */
export function rollupStatement(q: UsageQuery): BuiltQuery | null {
  const build = ROLLUP_QUERIES[q.aggregationType];
  if (build === null || !answerable(q)) return null;
  return build(q);
}

export function answerable(q: UsageQuery): boolean {
  return (
    q.groupedBy.length === 0 &&
    q.filter.length === 0 &&
    q.exclude.length === 0 &&
    q.from.getTime() % HOUR_MS === 0 &&
    q.to.getTime() % HOUR_MS === 0
  );
}

type RollupBuilder = ((q: UsageQuery) => BuiltQuery) | null;

/** Rows of every event of the code (scope 0), or of the events whose field is numeric (scope 1). */
const EVERY_EVENT = 0;
const NUMERIC_FIELD = 1;

const FROM = `{from:DateTime64(3, 'UTC')}`;
const TO = `{to:DateTime64(3, 'UTC')}`;

/**
 * One row (group_values [] like an ungrouped raw statement), or none when no event counts: the raw
 * statements report no group then either (`keep`), and the service answers zeros.
 */
function statement(o: { scope: number; history: boolean; columns: string[] }): string {
  return `
    SELECT CAST([], 'Array(String)') AS group_values, ${o.columns.join(', ')}, toUInt8(0) AS duplicates
    FROM usage_hourly
    WHERE organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND code = {code:String}
      AND scope = {scope:UInt8}
      AND field = {field:String}${o.history ? '' : `\n      AND hour >= ${FROM}`}
      AND hour < ${TO}
    HAVING sum(events) > 0`;
}

function params(q: UsageQuery, scope: number): Record<string, unknown> {
  return {
    organization: q.organizationId,
    subscription: q.externalSubscriptionId,
    code: q.code,
    scope,
    field: scope === EVERY_EVENT ? '' : q.fieldName,
    from: toClickHouseTime(q.from),
    to: toClickHouseTime(q.to),
  };
}

const NUMERIC_COLUMNS = [
  `toString(sum(events)) AS events_count`,
  `toString(sum(amount)) AS precise_total_amount_cents`,
];

/** SUM, MAX, LATEST: one aggregate over the field's numeric values. */
const overNumeric =
  (value: string, history: (q: UsageQuery) => boolean) =>
  (q: UsageQuery): BuiltQuery => ({
    sql: statement({
      scope: NUMERIC_FIELD,
      history: history(q),
      columns: [`toString(${value}) AS value`, ...NUMERIC_COLUMNS],
    }),
    params: params(q, NUMERIC_FIELD),
  });

/**
 * WEIGHTED_SUM (weighted-sum.query.ts): level_ms = Σ v(e) × (to − t(e)) over in-window events. Per
 * hour h that is Σv × (to − h) − Σ v × (t(e) − h), both kept exactly; the initial level of a recurring
 * metric is Σv of the hours before `from`. The same three decimals as the raw builder, read by its
 * `read`, so the one division happens in the same place.
 */
function weightedSum(q: UsageQuery): BuiltQuery {
  const inWindow = `hour >= ${FROM}`;
  return {
    sql: statement({
      scope: NUMERIC_FIELD,
      history: q.recurring,
      columns: [
        `'' AS value`,
        `toString(sumIf(sum_v, hour < ${FROM})) AS initial_level`,
        `toString(sumIf(sum_v, ${inWindow})) AS in_window_delta`,
        `toString(sumIf(sum_v * (toUnixTimestamp64Milli(${TO}) - toUnixTimestamp64Milli(hour)) - sum_v_offset,
                        ${inWindow})) AS level_ms`,
        `toString(sumIf(events, ${inWindow})) AS events_count`,
        `toString(sumIf(amount, ${inWindow})) AS precise_total_amount_cents`,
      ],
    }),
    params: params(q, NUMERIC_FIELD),
    columns: ['initial_level', 'in_window_delta', 'level_ms'],
  };
}

/** One entry per type; null: always the raw path. A new type does not compile until decided. */
export const ROLLUP_QUERIES = {
  COUNT_AGG: (q) => ({
    sql: statement({
      scope: EVERY_EVENT,
      history: false,
      columns: [
        `toString(sum(events)) AS value`,
        `toString(sum(events)) AS events_count`,
        `toString(sum(amount)) AS precise_total_amount_cents`,
      ],
    }),
    params: params(q, EVERY_EVENT),
  }),
  SUM_AGG: overNumeric('sum(sum_v)', (q) => q.recurring),
  MAX_AGG: overNumeric('max(max_v)', () => false),
  LATEST_AGG: overNumeric('argMaxMerge(latest)', () => false),
  WEIGHTED_SUM_AGG: weightedSum,
  UNIQUE_COUNT_AGG: null,
} satisfies Record<AggregationTypeName, RollupBuilder>;
