import type { AggregationTypeName } from '../../../../libs/common/src/domain';
import { toClickHouseTime, toClickHouseTimeUs } from '../../../../libs/clickhouse/src/time';
import type { BuiltQuery, UsageQuery } from '../queries/usage-query';
import type { RollupDefinition } from './dims-definition';

/**
 * The metric-aware fast path: grouped and filtered questions, and unique counts, answered from the
 * aggregates of one ready generation of the metric's rollup definition (usage_dims;
 * libs/clickhouse/migrations/0006_usage_dims.sql). Each statement returns the
 * columns of the type's raw builder in `queries/`, with the same exact values, so the service reads
 * and rounds both alike (SPEC §3).
 *
 * Dimension values are '=' + text (present) or '' (missing), so:
 * - filter (SPEC §2.3: AND across keys, OR within one, a missing key never matches): the stored
 *   value is one of '=' + each listed value;
 * - exclude (a set matches when every key does, a missing property is ''): substring(value, 2) is
 *   one of the listed values;
 * - grouped_by: substring(value, 2), '' for missing or empty (the null key).
 * Dimension positions are array parameters like the raw builders' keys: the SQL depends only on how
 * many keys a question has.
 *
 * Every statement also says whether the generation is still live (`duplicates` = 1 when it is not:
 * removed since the service saw it ready, e.g. the metric was edited and edited back). The service
 * then asks that question again on the raw path, as it does for a repeated transaction_id; the
 * total's statement reports it even when nothing was selected.
 */
export interface DimsTarget {
  definition: RollupDefinition;
  /** The ready generation read (UInt64, decimal string). */
  generationId: string;
}

/** The outer aggregates of usage_dims's writer (the migration holds the same text). */
export const AGGREGATES = `organization_id,
    external_subscription_id,
    code,
    definition_id,
    fromUnixTimestamp64Milli(intDiv(toUnixTimestamp64Milli(timestamp), 3600000) * 3600000, 'UTC') AS hour,
    dim_values,
    value,
    toUInt64(count()) AS events,
    sum(ifNull(precise_total_amount_cents, toDecimal256(0, 20))) AS amount,
    toUInt64(countIf(numeric)) AS n_events,
    sum(if(numeric, ifNull(precise_total_amount_cents, toDecimal256(0, 20)), toDecimal256(0, 20))) AS n_amount,
    sum(v) AS sum_v,
    max(if(numeric, v, toDecimal256('-100000000000000000000000000000000000000000000000000', 20))) AS max_v,
    sum(v * (toUnixTimestamp64Milli(timestamp) % 3600000)) AS sum_v_offset,
    argMaxState(v, if(numeric, event_order, toInt128(-1))) AS latest,
    argMaxState(toUInt8(operation_type != 'remove'), event_order) AS active`;

/**
 * Per event and definition: its dimension values, field text, value (per-value definitions only),
 * operation, whether numeric, v, and its (timestamp, created_at) order (queries/selection.ts
 * EVENT_ORDER).
 */
export const ROW = `e.organization_id AS organization_id, e.external_subscription_id AS external_subscription_id,
        e.code AS code, e.timestamp AS timestamp, e.created_at AS created_at,
        e.precise_total_amount_cents AS precise_total_amount_cents, d.definition_id AS definition_id,
        arrayMap(k -> if(mapContains(e.property_texts, k), concat('=', e.property_texts[k]), ''), d.def_dimensions) AS dim_values,
        e.property_texts[d.def_field] AS field_text,
        if(d.def_per_value = 1, field_text, '') AS value,
        e.property_texts['operation_type'] AS operation_type,
        d.def_field != '' AND ((length(field_text) <= 22 AND match(field_text, '^-?[0-9]+([.][0-9]+)?$'))
                  OR match(field_text, '^-?0*[0-9]{1,38}([.][0-9]{1,20}0*)?$')) AS numeric,
        if(numeric, ifNull(toDecimal256OrNull(field_text, 20), toDecimal256(0, 20)), toDecimal256(0, 20)) AS v,
        bitShiftLeft(toInt128(toUnixTimestamp64Milli(e.timestamp)), 64)
                  + (toInt128(toUnixTimestamp64Micro(e.created_at)) + 9223372036854775808) AS event_order`;

export const GROUP_BY = `organization_id, external_subscription_id, code, definition_id, hour, dim_values, value`;

/**
 * The backfill of one generation (rollup/dims-activation.ts): the events of its (organization,
 * code) accepted before `since`, aggregated exactly as the view aggregates those accepted from
 * `since` on (the same text, with the definition as parameters instead of a joined row).
 * Params: organization, code, definition (UInt64), field, dimensions, since (DateTime64(6)).
 */
export function backfillStatement(d: RollupDefinition, generationId: string, since: Date): BuiltQuery {
  return {
    sql: `INSERT INTO usage_dims
SELECT
    ${AGGREGATES}
FROM
(
    SELECT
        ${ROW}
    FROM events AS e
    INNER JOIN
    (
        SELECT {organization:String} AS organization_id, {code:String} AS code,
               {definition:UInt64} AS definition_id, {field:String} AS def_field,
               {dimensions:Array(String)} AS def_dimensions, {per_value:UInt8} AS def_per_value,
               {since:DateTime64(6, 'UTC')} AS def_since
    ) AS d ON e.organization_id = d.organization_id AND e.code = d.code
    WHERE e.organization_id = {organization:String} AND e.code = {code:String} AND e.created_at < d.def_since
)
GROUP BY ${GROUP_BY}`,
    params: {
      organization: d.organizationId,
      code: d.code,
      definition: generationId,
      field: d.fieldName,
      dimensions: d.dimensions,
      per_value: d.perValue ? 1 : 0,
      since: toClickHouseTimeUs(since.getTime() * 1000),
    },
  };
}

const FROM = `{from:DateTime64(3, 'UTC')}`;
const TO = `{to:DateTime64(3, 'UTC')}`;

/** 1 while the generation is ready and not removed (versions: migration 0006). */
const LIVE = `((SELECT max(version) FROM usage_rollup_definitions
               WHERE organization_id = {organization:String} AND code = {code:String}
                 AND definition_id = {definition:UInt64}) = 2)`;

/** The text of a dimension value: '' for missing or empty. */
const text = (value: string) => `substring(${value}, 2)`;
const dim = (param: string, i: number) => `dim_values[{${param}:Array(UInt32)}[${i + 1}]]`;

function groupValues(q: UsageQuery): string {
  if (q.groupedBy.length === 0) return `CAST([], 'Array(String)')`;
  return `[${q.groupedBy.map((_, i) => text(dim('group_dims', i))).join(', ')}]`;
}

function conditions(q: UsageQuery, history: boolean): string {
  const filters = q.filter.map(
    (_, i) => `\n      AND has({filter_values:Array(Array(String))}[${i + 1}], ${dim('filter_dims', i)})`,
  );
  const sets = q.exclude.map((set, j) => {
    const keys = set.map(
      (_, i) =>
        `has({exclude_values:Array(Array(Array(String)))}[${j + 1}][${i + 1}], ${text(`dim_values[{exclude_dims:Array(Array(UInt32))}[${j + 1}][${i + 1}]]`)})`,
    );
    return keys.length > 0 ? `(${keys.join(' AND ')})` : '1';
  });
  const exclude = sets.length > 0 ? `\n      AND NOT (${sets.join('\n               OR ')})` : '';
  return `organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND code = {code:String}
      AND definition_id = {definition:UInt64}${history ? '' : `\n      AND hour >= ${FROM}`}
      AND hour < ${TO}${filters.join('')}${exclude}`;
}

function params(q: UsageQuery, t: DimsTarget): Record<string, unknown> {
  const position = (key: string) => t.definition.dimensions.indexOf(key) + 1;
  return {
    organization: q.organizationId,
    subscription: q.externalSubscriptionId,
    code: q.code,
    definition: t.generationId,
    from: toClickHouseTime(q.from),
    to: toClickHouseTime(q.to),
    group_dims: q.groupedBy.map(position),
    filter_dims: q.filter.map((f) => position(f.key)),
    filter_values: q.filter.map((f) => f.values.map((v) => `=${v}`)),
    exclude_dims: q.exclude.map((set) => set.map((f) => position(f.key))),
    exclude_values: q.exclude.map((set) => set.map((f) => f.values)),
  };
}

/**
 * One statement over usage_dims (a generation not per value: its value is ''): grouped (GROUP BY the group values) or the total (no GROUP
 * BY: one row, kept when `keep` holds or when the generation is no longer live).
 */
function hourly(o: {
  q: UsageQuery;
  grouped: boolean;
  history: boolean;
  columns: string[];
  keep: string;
}): string {
  const { q, grouped } = o;
  return `
    SELECT ${grouped ? groupValues(q) : `CAST([], 'Array(String)')`} AS group_values, ${o.columns.join(', ')},
           toUInt8(NOT ${LIVE}) AS duplicates
    FROM usage_dims
    WHERE ${conditions(q, o.history)}${grouped ? '\n    GROUP BY group_values' : ''}
    HAVING ${o.keep} OR duplicates = 1`;
}

type DimsBuilder = (q: UsageQuery, grouped: boolean) => Omit<BuiltQuery, 'params'>;

const NUMERIC_COLUMNS = [
  `toString(sum(n_events)) AS events_count`,
  `toString(sum(n_amount)) AS precise_total_amount_cents`,
];
const NUMERIC_KEEP = 'sum(n_events) > 0';

const overNumeric =
  (value: string, history: (q: UsageQuery) => boolean): DimsBuilder =>
  (q, grouped) => ({
    sql: hourly({
      q,
      grouped,
      history: history(q),
      columns: [`toString(${value}) AS value`, ...NUMERIC_COLUMNS],
      keep: NUMERIC_KEEP,
    }),
  });

/** As rollup.query.ts's weighted sum, over the numeric events' aggregates. */
const weightedSum: DimsBuilder = (q, grouped) => {
  const inWindow = `hour >= ${FROM}`;
  return {
    sql: hourly({
      q,
      grouped,
      history: q.recurring,
      columns: [
        `'' AS value`,
        `toString(sumIf(sum_v, hour < ${FROM})) AS initial_level`,
        `toString(sumIf(sum_v, ${inWindow})) AS in_window_delta`,
        `toString(sumIf(sum_v * (toUnixTimestamp64Milli(${TO}) - toUnixTimestamp64Milli(hour)) - sum_v_offset,
                        ${inWindow})) AS level_ms`,
        `toString(sumIf(n_events, ${inWindow})) AS events_count`,
        `toString(sumIf(n_amount, ${inWindow})) AS precise_total_amount_cents`,
      ],
      keep: NUMERIC_KEEP,
    }),
    columns: ['initial_level', 'in_window_delta', 'level_ms'],
  };
};

/**
 * SPEC §3.5 from usage_dims (a per-value generation): per (group, value) the state at the end of the selected hours
 * (argMaxMerge of the last operation), then the active values counted per group.
 */
const uniqueCount: DimsBuilder = (q, grouped) => ({
  sql: `
    SELECT ${grouped ? 'g' : `CAST([], 'Array(String)')`} AS group_values, toString(sum(active)) AS value,
           toString(sum(active)) AS events_count, toString(sum(amount)) AS precise_total_amount_cents,
           toUInt8(NOT ${LIVE}) AS duplicates
    FROM (
      SELECT ${grouped ? groupValues(q) : `CAST([], 'Array(String)')`} AS g,
             toUInt64(argMaxMerge(active)) AS active, sum(amount) AS amount, sum(events) AS events
      FROM usage_dims
      WHERE ${conditions(q, q.recurring)}
      GROUP BY g, value
    )${grouped ? '\n    GROUP BY g' : ''}
    HAVING sum(events) > 0 OR duplicates = 1`,
});

/** One builder per type. A new type does not compile until decided. */
export const DIMS_QUERIES = {
  COUNT_AGG: (q, grouped) => ({
    sql: hourly({
      q,
      grouped,
      history: false,
      columns: [
        `toString(sum(events)) AS value`,
        `toString(sum(events)) AS events_count`,
        `toString(sum(amount)) AS precise_total_amount_cents`,
      ],
      keep: 'sum(events) > 0',
    }),
  }),
  SUM_AGG: overNumeric('sum(sum_v)', (q) => q.recurring),
  MAX_AGG: overNumeric('max(max_v)', () => false),
  LATEST_AGG: overNumeric('argMaxMerge(latest)', () => false),
  WEIGHTED_SUM_AGG: weightedSum,
  UNIQUE_COUNT_AGG: uniqueCount,
} satisfies Record<AggregationTypeName, DimsBuilder>;

/**
 * The statements of a question answered from a ready generation: the total, then (grouped) the
 * groups, like the raw builders. The caller has checked `dimsAnswerable`.
 */
export function dimsStatements(q: UsageQuery, t: DimsTarget): BuiltQuery[] {
  const build = DIMS_QUERIES[q.aggregationType];
  const p = params(q, t);
  const total = { ...build(q, false), params: p };
  return q.groupedBy.length > 0 ? [total, { ...build(q, true), params: p }] : [total];
}
