import { AMOUNT, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.3: max v(e), not clamped. */
export const maxQuery: AggregationQuery = {
  build: (q) => ({
    sql: `SELECT group_values, toString(max(v)) AS value, toString(count()) AS events_count, ${AMOUNT}
          FROM (${selection(q, false)})
          WHERE v IS NOT NULL
          GROUP BY group_values`,
    params: selectionParams(q),
  }),
  read: readPlain,
};
