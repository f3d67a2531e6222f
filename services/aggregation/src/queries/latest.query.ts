import { Decimal, canonical } from '../../../../libs/common/src/decimal';
import { AMOUNT, readPlain, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** SPEC §3.4: v of the latest event (ties: ingested last); a negative result is reported as 0. */
export const latestQuery: AggregationQuery = {
  build: (q) => ({
    sql: `SELECT group_values, toString(argMax(v, (timestamp, created_at))) AS value, toString(count()) AS events_count, ${AMOUNT}
          FROM (${selection(q, false)})
          WHERE v IS NOT NULL
          GROUP BY group_values`,
    params: selectionParams(q),
  }),
  read: (row) => {
    const plain = readPlain(row);
    return { ...plain, value: new Decimal(plain.value).isNegative() ? '0' : canonical(plain.value) };
  },
};
