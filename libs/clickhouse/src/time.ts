/**
 * `YYYY-MM-DD HH:MM:SS` of the last second formatted (events of one batch often share it), from
 * the text of the last day formatted (Date#toISOString for every event showed in profiles).
 */
let lastSecond = NaN;
let lastSecondText = '';
let lastDay = NaN;
let lastDayText = '';

function secondText(second: number): string {
  if (second !== lastSecond) {
    const day = Math.floor(second / 86_400);
    if (day !== lastDay) {
      lastDayText = new Date(day * 86_400_000).toISOString().slice(0, 10);
      lastDay = day;
    }
    const inDay = second - day * 86_400;
    const minutes = Math.floor(inDay / 60);
    lastSecondText = `${lastDayText} ${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:${pad2(inDay % 60)}`;
    lastSecond = second;
  }
  return lastSecondText;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
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
