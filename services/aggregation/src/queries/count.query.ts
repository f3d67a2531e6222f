import { AMOUNT, perGroup, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.1: |S|. */
export const countQuery: AggregationQuery = {
  build: (q, dedupe = false) => ({
    sql: perGroup(q, {
      from: selection(q, { history: false, dedupe }),
      columns: ['toString(count()) AS value', 'toString(count()) AS events_count', AMOUNT],
      keep: '1',
    }),
    params: selectionParams(q),
  }),
  read: readPlain,
};
