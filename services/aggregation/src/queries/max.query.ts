import { NUMERIC_AMOUNT, perGroup, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.3: max v(e), not clamped. */
export const maxQuery: AggregationQuery = {
  build: (q, dedupe = false) => ({
    sql: perGroup(q, {
      from: selection(q, { history: false, dedupe }),
      columns: ['toString(max(v)) AS value', 'toString(countIf(numeric)) AS events_count', NUMERIC_AMOUNT],
      keep: 'countIf(numeric) > 0',
    }),
    params: selectionParams(q),
  }),
  read: readPlain,
};
