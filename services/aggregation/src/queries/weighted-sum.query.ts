import { Decimal, canonical } from '../../../../libs/common/src/decimal';
import { perGroup, selection, selectionParams } from './selection';
import type { AggregationQuery } from './usage-query';

/** Decimal places kept by the final division (SPEC §3.6 asks for at least 20). */
export const WEIGHTED_SUM_SCALE = 30;
const DAY_MS = 86_400_000;

const IN_WINDOW = `timestamp >= {from:DateTime64(3, 'UTC')} AND numeric`;

/**
 * SPEC §3.6. The level is piecewise constant, so its integral over [from, to) is linear in the
 * deltas: initial × (to − from) + Σ v(e) × (to − t(e)) over in-window events (events at one instant
 * all apply at once; the level is held to `to`). ClickHouse computes the exact sums in
 * level-milliseconds (Decimal256); the one division by the period is done here, in decimal.js.
 * Recurring: the initial level is the sum of all deltas before `from`.
 */
export const weightedSumQuery: AggregationQuery = {
  build: (q, dedupe = false) => ({
    sql: perGroup(q, {
      from: selection(q, { history: q.recurring, dedupe }),
      columns: [
        `'' AS value`,
        `toString(sumIf(v, timestamp < {from:DateTime64(3, 'UTC')})) AS initial_level`,
        `toString(sumIf(v, timestamp >= {from:DateTime64(3, 'UTC')})) AS in_window_delta`,
        `toString(sumIf(v * (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(timestamp)),
                        timestamp >= {from:DateTime64(3, 'UTC')})) AS level_ms`,
        `toString(countIf(${IN_WINDOW})) AS events_count`,
        `toString(ifNull(sumIf(precise_total_amount_cents, ${IN_WINDOW}), 0)) AS precise_total_amount_cents`,
      ],
      keep: 'countIf(numeric) > 0',
    }),
    params: selectionParams(q),
    columns: ['initial_level', 'in_window_delta', 'level_ms'],
  }),
  read: (row, q) => {
    const windowMs = q.to.getTime() - q.from.getTime();
    const periodMs = q.chargesDurationDays !== null ? q.chargesDurationDays * DAY_MS : windowMs;
    const initial = new Decimal(row.initial_level ?? '0');
    const integral = initial.mul(windowMs).add(row.level_ms ?? '0');
    return {
      value: canonical(integral.div(periodMs).toDecimalPlaces(WEIGHTED_SUM_SCALE)),
      eventsCount: row.events_count,
      totalAggregatedUnits: canonical(initial.add(row.in_window_delta ?? '0')),
      preciseTotalAmountCents: row.precise_total_amount_cents,
    };
  },
};
