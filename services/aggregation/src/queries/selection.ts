import { NUMERIC_VALUE_SQL } from '../../../../libs/clickhouse/src/decimals';
import { toClickHouseTime } from '../../../../libs/clickhouse/src/time';
import type { GroupResult, UsageQuery, UsageRow } from './usage-query';

/**
 * The selected events S of SPEC §3, as a subquery every builder reads from:
 * organization, subscription, metric code, time window, `filter` (AND across keys, OR within one;
 * a missing key never matches) and `exclude` (any set; inside a set every key; a missing property
 * is ''), then one row per transaction_id — the first accepted — so no key is ever counted twice.
 *
 * Columns: timestamp, created_at, property_texts, precise_total_amount_cents, group_values (the
 * texts of the grouped_by keys, '' when missing) and v, the exact value of properties[field_name]
 * as Decimal(76, 20), NULL when missing or not a plain decimal within the limits
 * (libs/clickhouse/src/decimals.ts).
 *
 * With `history`, there is no lower time bound (recurring metrics read everything before `to`).
 * The filter and exclude conditions are left out when the query has none: they read the property
 * map of every row even when their lists are empty.
 */
export function selection(q: UsageQuery, history: boolean): string {
  return `
    SELECT timestamp, created_at, property_texts, precise_total_amount_cents,
           arrayMap(k -> property_texts[k], {group_keys:Array(String)}) AS group_values,
           if(match(property_texts[{field:String}], '${NUMERIC_VALUE_SQL}'),
              toDecimal256OrNull(property_texts[{field:String}], 20), NULL) AS v
    FROM events
    WHERE organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND code = {code:String}${history ? '' : `\n      AND timestamp >= {from:DateTime64(3, 'UTC')}`}
      AND timestamp < {to:DateTime64(3, 'UTC')}
      ${q.filter.length > 0 ? FILTER : ''}
      ${q.exclude.length > 0 ? EXCLUDE : ''}
    ORDER BY created_at
    LIMIT 1 BY transaction_id`;
}

const FILTER = `AND arrayAll((k, vs) -> mapContains(property_texts, k) AND has(vs, property_texts[k]),
                   {filter_keys:Array(String)}, {filter_values:Array(Array(String))})`;
const EXCLUDE = `AND NOT arrayExists((ks, vss) -> arrayAll((k, vs) -> has(vs, property_texts[k]), ks, vss),
                          {exclude_keys:Array(Array(String))}, {exclude_values:Array(Array(Array(String)))})`;

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
