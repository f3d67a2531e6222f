/** A statement over `hourRows` (hour-rows.ts): what it reads and what it reports per window. */
export interface PerWindow {
  /** The rows (hour-rows.ts `hourRows`): columns at, hour_start, events, amount, sum_v, … */
  rows: string;
  /** Label each row with its window's number (first group value); false: one window, group_values []. */
  windowed: boolean;
  /** Also the running sums `through_*` (a recurring metric's history reaches every window). */
  running: boolean;
  /** The columns after group_values, over the names below, each ending in `AS name`. */
  columns: string[];
  /** Whether a window gets a row. */
  keep: string;
}

const RUNNING = ['events', 'amount', 'v'];

/**
 * Every window's numbers in one statement (SPEC §2.3). Windows are [window_starts[k],
 * window_starts[k + 1]) and the last ends at `to`; `{window_ends}` holds each end (both epoch ms).
 * Not windowed, the one window is [from, to).
 *
 * 1. Each row of `rows` goes to the window holding its `at`, found with an ASOF join on the window
 *    starts as queries/window-buckets.ts does for events; window 0 holds what precedes the first
 *    start (the history of a recurring metric). A row is one whole hour that no window start cuts,
 *    so all of it lies in that window, or raw events of one instant.
 * 2. Per window: w_events, w_amount, w_v (Σ v), w_max, w_latest (argMaxMerge), w_level_ms (Σ v(e) ×
 *    (window end − t(e)) = Σ sum_v × (end − hour_start) − sum_v_offset, exact).
 * 3. `running`: over every window in order, empty ones included (their w_* are 0, the LEFT JOIN's
 *    defaults), through_events, through_amount, through_v: the sums of windows 0..k.
 * 4. One row per window 1..n that `keep`s, group_values [window number] (or [] when not windowed),
 *    then `columns`, then duplicates 0 (an aggregate cannot tell a repeated key).
 *
 * Parameters: window_ends, window_starts (windowed) or from (not), and those of `rows`.
 */
export function perWindow(o: PerWindow): string {
  const label = o.windowed ? '[toString(window)]' : `CAST([], 'Array(String)')`;
  const windows = o.running ? running(perWindowSums(o)) : perWindowSums(o);
  return `
    SELECT ${label} AS group_values, ${o.columns.join(', ')}, toUInt8(0) AS duplicates
    FROM (${windows})
    WHERE window > 0 AND ${o.keep}`;
}

/** A window's own numbers; a statement computes those its columns name (merging states costs). */
const SUMS: readonly [string, string][] = [
  ['w_events', 'sum(events)'],
  ['w_amount', 'sum(amount)'],
  ['w_v', 'sum(sum_v)'],
  ['w_max', 'max(max_v)'],
  ['w_latest', 'argMaxMerge(latest)'],
  ['w_level_ms', 'sum(sum_v * ({window_ends:Array(Int64)}[window] - hour_start) - sum_v_offset)'],
];

/** Step 1 and 2: one row per window that has rows. */
function perWindowSums(o: PerWindow): string {
  const named = [...o.columns, o.keep].join(' ');
  const sums = SUMS.filter(
    ([name]) => named.includes(name) || (o.running && RUNNING.includes(name.slice(2))),
  );
  return `
        SELECT window,
               ${sums.map(([name, sum]) => `${sum} AS ${name}`).join(',\n               ')}
        FROM (${o.windowed ? inWindows(o.rows) : `SELECT *, toUInt64(at >= toUnixTimestamp64Milli({from:DateTime64(3, 'UTC')})) AS window FROM (${o.rows})`})
        GROUP BY window`;
}

/** The window of each row: an ASOF join on the window starts (0 before the first). */
function inWindows(rows: string): string {
  return `
          SELECT rows.*, windows.window AS window
          FROM (SELECT *, toUInt8(0) AS window_key FROM (${rows})) AS rows
          ASOF LEFT JOIN (
            SELECT toUInt8(0) AS window_key, arrayJoin(arrayEnumerate({window_starts:Array(Int64)})) AS window,
                   {window_starts:Array(Int64)}[window] AS window_start
          ) AS windows
          ON rows.window_key = windows.window_key AND rows.at >= windows.window_start`;
}

/** Step 3: every window 0..n, with the running sums. */
function running(sums: string): string {
  const through = RUNNING.map(
    (c) => `sum(w_${c}) OVER (ORDER BY window ROWS UNBOUNDED PRECEDING) AS through_${c}`,
  );
  return `
      SELECT *,
             ${through.join(',\n             ')}
      FROM (SELECT arrayJoin(range(toUInt64(length({window_ends:Array(Int64)}) + 1))) AS window) AS every_window
      LEFT JOIN (${sums}
      ) AS own USING window`;
}
