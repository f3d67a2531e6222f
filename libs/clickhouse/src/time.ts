/** ClickHouse DateTime64 text, UTC: `2024-03-14 12:00:00.123`. */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Microseconds since the epoch → `2024-03-14 12:00:00.123456`. */
export function toClickHouseTimeUs(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${toClickHouseTime(new Date(ms))}${String(us % 1000).padStart(3, '0')}`;
}

export function fromClickHouseTime(text: string): Date {
  const [date, time] = text.split(' ');
  const [hms, fraction = ''] = time.split('.');
  return new Date(`${date}T${hms}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

/**
 * Acceptance times in microseconds that never repeat and never go back within a process, even for
 * thousands of events in one millisecond: ties in "ingested last" (LATEST_AGG) stay ordered.
 */
export class MonotonicClock {
  private last = 0;

  nowUs(): number {
    const now = Date.now() * 1000;
    this.last = now > this.last ? now : this.last + 1;
    return this.last;
  }
}
