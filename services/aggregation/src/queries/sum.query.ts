import { AMOUNT, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.2: Σ v(e), exact; recurring reads all history before `to`. */
export const sumQuery: AggregationQuery = {
  build: (q) => ({
    sql: `SELECT group_values, toString(sum(v)) AS value, toString(count()) AS events_count, ${AMOUNT}
          FROM (${selection(q, q.recurring)})
          WHERE v IS NOT NULL
          GROUP BY group_values`,
    params: selectionParams(q),
  }),
  read: readPlain,
};
