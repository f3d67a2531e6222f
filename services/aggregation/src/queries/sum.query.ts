import { NUMERIC_AMOUNT, perGroup, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.2: Σ v(e), exact; recurring reads all history before `to`. */
export const sumQuery: AggregationQuery = {
  build: (q, dedupe = false) => ({
    sql: perGroup(q, {
      from: selection(q, { history: q.recurring, dedupe }),
      columns: ['toString(sum(v)) AS value', 'toString(countIf(numeric)) AS events_count', NUMERIC_AMOUNT],
      keep: 'countIf(numeric) > 0',
    }),
    params: selectionParams(q),
  }),
  read: readPlain,
};
