import { Decimal, canonical } from '../../../../libs/common/src/decimal';
import { NUMERIC_AMOUNT, perGroup, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/**
 * SPEC §3.4: v of the latest event (ties: ingested last); a negative result is reported as 0.
 * Only the latest text is converted to a decimal: converting all of them was a fifth of the time.
 */
export const latestQuery: AggregationQuery = {
  build: (q, dedupe = false) => ({
    sql: perGroup(q, {
      from: selection(q, { history: false, dedupe }),
      columns: [
        'toString(toDecimal256OrNull(argMaxIf(field_text, event_order, numeric), 20)) AS value',
        'toString(countIf(numeric)) AS events_count',
        NUMERIC_AMOUNT,
      ],
      keep: 'countIf(numeric) > 0',
    }),
    params: selectionParams(q),
  }),
  read: (row) => {
    const plain = readPlain(row);
    return { ...plain, value: new Decimal(plain.value).isNegative() ? '0' : canonical(plain.value) };
  },
};
