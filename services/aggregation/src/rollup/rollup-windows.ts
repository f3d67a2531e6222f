/** A statement over `hourRows` (hour-rows.ts): what it reads and what it reports per window. */
export interface PerWindow {
  /** The rows (hour-rows.ts `hourRows`): columns at, hour_start, events, amount, sum_v, … */
  rows: string;
  /** Label each row with its window's number (first group value); false: group_values []. */
  windowed: boolean;
  /** The columns after group_values, over the names below, each ending in `AS name`. */
  columns: string[];
  /** Whether a window gets a row. */
  keep: string;
}

/**
 * Every window's numbers in one statement (SPEC §2.3). Windows are [window_starts[k],
 * window_starts[k + 1]) and the last ends at `to` (`{window_ends}` holds each end; both epoch ms).
 *
 * 1. Each row of `rows` goes to the window holding its `at`, found with an ASOF join on the window
 *    starts as queries/window-buckets.ts does for events; window 0 holds what precedes the first
 *    start (the history of a recurring metric). A row is one whole hour that no window start cuts,
 *    so all of it lies in that window, or raw events of one instant.
 * 2. Per window: w_events, w_amount, w_v (Σ v), w_max, w_latest (argMaxMerge), w_level_ms (Σ v(e) ×
 *    (window end − t(e)) = Σ sum_v × (end − hour_start) − sum_v_offset, exact).
 * 3. Over every window in order, empty ones included: through_events, through_amount, through_v,
 *    the sums of windows 0..k (a running sum), so a recurring metric's history reaches every window.
 * 4. One row per window 1..n that `keep`s, group_values [window number] (or [] when not windowed),
 *    then `columns`, then duplicates 0 (an aggregate cannot tell a repeated key).
 *
 * An empty window's w_* are 0 (the LEFT JOIN's defaults). Parameters: window_starts, window_ends
 * (Array(Int64)), and those of `rows`.
 */
export function perWindow(o: PerWindow): string {
  const label = o.windowed ? '[toString(window)]' : `CAST([], 'Array(String)')`;
  return `
    SELECT ${label} AS group_values, ${o.columns.join(', ')}, toUInt8(0) AS duplicates
    FROM (
      SELECT window, w_events, w_amount, w_v, w_max, w_latest, w_level_ms,
             ${['events', 'amount', 'v'].map((c) => `sum(w_${c}) OVER (ORDER BY window ROWS UNBOUNDED PRECEDING) AS through_${c}`).join(',\n             ')}
      FROM (SELECT arrayJoin(range(toUInt64(length({window_starts:Array(Int64)}) + 1))) AS window) AS every_window
      LEFT JOIN (
        SELECT window,
               sum(events) AS w_events,
               sum(amount) AS w_amount,
               sum(sum_v) AS w_v,
               max(max_v) AS w_max,
               argMaxMerge(latest) AS w_latest,
               sum(sum_v * ({window_ends:Array(Int64)}[window] - hour_start) - sum_v_offset) AS w_level_ms
        FROM (
          SELECT rows.*, windows.window AS window
          FROM (SELECT *, toUInt8(0) AS window_key FROM (${o.rows})) AS rows
          ASOF LEFT JOIN (
            SELECT toUInt8(0) AS window_key, arrayJoin(arrayEnumerate({window_starts:Array(Int64)})) AS window,
                   {window_starts:Array(Int64)}[window] AS window_start
          ) AS windows
          ON rows.window_key = windows.window_key AND rows.at >= windows.window_start
        )
        GROUP BY window
      ) AS own USING window
    )
    WHERE window > 0 AND ${o.keep}`;
}
