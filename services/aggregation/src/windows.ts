/** A window of usage over time: [from, to). */
export interface TimeWindow {
  from: Date;
  to: Date;
}

export type WindowUnit = 'HOUR' | 'DAY' | 'MONTH';

/** SPEC §2.3: at most this many windows for one [from, to). */
export const MAX_WINDOWS = 1_000;

/** One hour in milliseconds: hour windows, and the hours of the usage aggregates (rollup/). */
export const HOUR_MS = 3_600_000;

/**
 * A time zone's wall clock, read through the platform's Intl (Node's full ICU carries the IANA
 * database): no offset table of our own to keep up to date.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;

  /** Throws RangeError for a name Intl does not know. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The local wall clock at instant `ms`, as the UTC milliseconds with the same fields. */
  wall(ms: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format.formatToParts(new Date(ms))) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const subSecond = ((ms % 1000) + 1000) % 1000;
    return (
      Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + subSecond
    );
  }

  /** The zone's offset from UTC at instant `ms`, in milliseconds. */
  offset(ms: number): number {
    return this.wall(ms) - ms;
  }

  /**
   * The first instant whose local wall clock is at or after `wall` (UTC milliseconds with the
   * local fields): the wall time itself when it exists (its earlier occurrence when it is
   * repeated), else the end of the daylight-saving gap it falls in.
   */
  instantOf(wall: number): number {
    const offsets = new Set([-1, 0, 1].map((d) => this.offset(wall + d * 86_400_000)));
    const exact = [...offsets].map((o) => wall - o).filter((t) => this.wall(t) === wall);
    if (exact.length > 0) return Math.min(...exact);
    // In a gap: some candidate reads earlier than `wall`, some later; the transition is between.
    const candidates = [...offsets].map((o) => wall - o);
    let lo = Math.min(...candidates.filter((t) => this.wall(t) < wall));
    let hi = Math.max(...candidates.filter((t) => this.wall(t) > wall));
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wall(mid) >= wall) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

/** The start of the calendar unit containing instant `ms`, and the start of the next one. */
function unitOf(clock: ZoneClock, unit: WindowUnit, ms: number): { start: number; next: number } {
  if (unit === 'HOUR') {
    // An hour of the zone's own clock: 60 minutes from a local hh:00 (the repeated autumn hour is
    // two hours; in Asia/Kolkata an hour starts at :30 UTC).
    const start = ms - (((clock.wall(ms) % HOUR_MS) + HOUR_MS) % HOUR_MS);
    const after = start + HOUR_MS;
    const next = after - (((clock.wall(after) % HOUR_MS) + HOUR_MS) % HOUR_MS);
    return { start, next: next > start ? next : after };
  }
  const local = new Date(clock.wall(ms));
  const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()];
  if (unit === 'DAY') {
    return { start: clock.instantOf(Date.UTC(y, m, d)), next: clock.instantOf(Date.UTC(y, m, d + 1)) };
  }
  return { start: clock.instantOf(Date.UTC(y, m, 1)), next: clock.instantOf(Date.UTC(y, m + 1, 1)) };
}

/**
 * SPEC §2.3: the calendar hours, days or months of the zone that intersect [from, to), each clipped
 * to [from, to), in time order. More than `max` → null (the caller names the field).
 */
export function windowsOf(
  from: Date,
  to: Date,
  unit: WindowUnit,
  clock: ZoneClock,
  max = MAX_WINDOWS,
): TimeWindow[] | null {
  const windows: TimeWindow[] = [];
  const end = to.getTime();
  let start = from.getTime();
  while (start < end) {
    if (windows.length === max) return null;
    const unitEnd = unitOf(clock, unit, start).next;
    // Never loop in place, whatever a zone's history holds.
    const next = Math.min(unitEnd > start ? unitEnd : start + HOUR_MS, end);
    windows.push({ from: new Date(start), to: new Date(next) });
    start = next;
  }
  return windows;
}
