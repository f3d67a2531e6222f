/** `YYYY-MM-DD HH:MM:SS` of the last second formatted: events of one batch mostly share it. */
let lastSecond = NaN;
let lastSecondText = '';

function secondText(second: number): string {
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  return lastSecondText;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/** ClickHouse DateTime64 text, UTC: `2024-03-14 12:00:00.123`. */
export function toClickHouseTime(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  return `${secondText(second)}.${pad3(ms - second * 1000)}`;
}

/** Microseconds since the epoch → `2024-03-14 12:00:00.123456`. */
export function toClickHouseTimeUs(us: number): string {
  const second = Math.floor(us / 1_000_000);
  const fraction = us - second * 1_000_000;
  return `${secondText(second)}.${pad3(Math.floor(fraction / 1000))}${pad3(fraction % 1000)}`;
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
