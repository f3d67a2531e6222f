import { AMOUNT_SUM, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/**
 * SPEC §3.5. Per distinct property text (per group), `add` makes it active and `remove` inactive,
 * whatever it was before; so a value is active at the end exactly when its last operation, in
 * (timestamp, ingestion) order, is not `remove`. Recurring reads all history before `to`.
 * A missing property counts as the empty text.
 */
export const uniqueCountQuery: AggregationQuery = {
  build: (q) => ({
    sql: `SELECT group_values, toString(countIf(active)) AS value, toString(countIf(active)) AS events_count,
                 toString(sum(amount)) AS precise_total_amount_cents
          FROM (
            SELECT group_values, property_texts[{field:String}] AS unique_value,
                   argMax(property_texts['operation_type'], (timestamp, created_at)) != 'remove' AS active,
                   ${AMOUNT_SUM} AS amount
            FROM (${selection(q, q.recurring)})
            GROUP BY group_values, unique_value
          )
          GROUP BY group_values`,
    params: selectionParams(q),
  }),
  read: readPlain,
};
