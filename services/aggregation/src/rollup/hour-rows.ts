import { EVENT_ORDER, IS_NUMERIC } from '../queries/selection';
import { HOUR_MS } from '../windows';

export { HOUR_MS };

/** Rows of every event of the code (scope 0), or of the events whose field is numeric (scope 1). */
export const EVERY_EVENT = 0;
export const NUMERIC_FIELD = 1;

const FROM = `{from:DateTime64(3, 'UTC')}`;
const TO = `{to:DateTime64(3, 'UTC')}`;
const CUT_HOURS = `{cut_hours:Array(Int64)}`;

/**
 * The hours that a bound cuts: for each instant of `bounds` (epoch ms) that is not a whole UTC
 * hour, the start of the hour it falls in (epoch ms), each once, ascending. Those hours are read
 * from the raw events (`hourRows`); every other hour of a question lies wholly inside one window
 * and is read from `usage_hourly`.
 */
export function cutHours(bounds: readonly number[]): number[] {
  const cut = new Set<number>();
  for (const b of bounds) {
    const into = ((b % HOUR_MS) + HOUR_MS) % HOUR_MS;
    if (into !== 0) cut.add(b - into);
  }
  return [...cut].sort((a, b) => a - b);
}

/** What `hourRows` reads. */
export interface HourRowsMode {
  /** EVERY_EVENT or NUMERIC_FIELD (migration 0005). */
  scope: number;
  /** No lower bound: recurring sums read every hour before `to`. */
  history: boolean;
  /** Whether some hour is cut (`cutHours` not empty): only then are raw events read at all. */
  cut: boolean;
}

/**
 * The partial aggregates of [from, to) (or of everything before `to` with `history`), one row per
 * piece, in the shape of `usage_hourly` (migration 0005):
 *
 * - every hour that no bound cuts, from `usage_hourly` (`at` = the hour's start);
 * - for the hours in `{cut_hours}`, the raw events of [from, to) in them, aggregated per instant
 *   (`at` = the events' timestamp) exactly as the materialized view aggregates an hour: the same
 *   numeric rule, `v` as Decimal(76, 20), Σ v × (ms since the hour's start), argMaxState(v) by
 *   EVENT_ORDER. So every value of a statement over these rows equals the raw path's over the
 *   events, whichever part a row comes from.
 *
 * Columns: at and hour_start (epoch ms, Int64), events (UInt64), amount, sum_v, max_v,
 * sum_v_offset (Decimal(76, 20)), latest (AggregateFunction(argMax, Decimal(76, 20), Int128)).
 * Parameters: organization, subscription, code, scope, field, from, to, cut_hours (epoch ms).
 */
export function hourRows(mode: HourRowsMode): string {
  const whole = `
        SELECT toUnixTimestamp64Milli(hour) AS at, at AS hour_start,
               events, amount, sum_v, max_v, sum_v_offset, latest
        FROM usage_hourly
        WHERE organization_id = {organization:String}
          AND external_subscription_id = {subscription:String}
          AND code = {code:String}
          AND scope = {scope:UInt8}
          AND field = {field:String}${mode.history ? '' : `\n          AND hour >= ${FROM}`}
          AND hour < ${TO}${mode.cut ? `\n          AND NOT has(${CUT_HOURS}, toUnixTimestamp64Milli(hour))` : ''}`;
  if (!mode.cut) return whole;
  // `has` on the key's timestamp is an IN set the primary key prunes by: only the cut hours' granules.
  const cut = `
        SELECT at, hour_start,
               toUInt64(count()) AS events,
               sum(ifNull(precise_total_amount_cents, toDecimal256(0, 20))) AS amount,
               sum(v) AS sum_v,
               max(v) AS max_v,
               sum(v * (at - hour_start)) AS sum_v_offset,
               argMaxState(v, ${EVENT_ORDER}) AS latest
        FROM (
          SELECT toUnixTimestamp64Milli(timestamp) AS at, intDiv(at, ${HOUR_MS}) * ${HOUR_MS} AS hour_start,
                 timestamp, created_at, precise_total_amount_cents,
                 property_texts[{field:String}] AS field_text,
                 ifNull(toDecimal256OrNull(field_text, 20), toDecimal256(0, 20)) AS v
          FROM events
          WHERE organization_id = {organization:String}
            AND external_subscription_id = {subscription:String}
            AND code = {code:String}${mode.history ? '' : `\n            AND timestamp >= ${FROM}`}
            AND timestamp < ${TO}
            AND has(${CUT_HOURS}, intDiv(toUnixTimestamp64Milli(timestamp), ${HOUR_MS}) * ${HOUR_MS})${
              mode.scope === NUMERIC_FIELD ? `\n            AND ${IS_NUMERIC}` : ''
            }
        )
        GROUP BY at, hour_start`;
  return `${whole}
        UNION ALL${cut}`;
}
