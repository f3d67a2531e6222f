import { AMOUNT, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.1: |S|. */
export const countQuery: AggregationQuery = {
  build: (q) => ({
    sql: `SELECT group_values, toString(count()) AS value, toString(count()) AS events_count, ${AMOUNT}
          FROM (${selection(q, false)})
          GROUP BY group_values`,
    params: selectionParams(q),
  }),
  read: readPlain,
};
