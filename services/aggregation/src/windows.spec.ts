import { MAX_WINDOWS, windowsOf, ZoneClock, type WindowUnit } from './windows';

/** The windows as `from→to` in UTC ISO minutes, so a table row reads like a calendar. */
function windows(from: string, to: string, unit: WindowUnit, zone: string, max?: number): string[] | null {
  const list = windowsOf(new Date(from), new Date(to), unit, new ZoneClock(zone), max);
  const iso = (d: Date) => d.toISOString().replace(':00.000Z', 'Z');
  return list && list.map((w) => `${iso(w.from)}→${iso(w.to)}`);
}

describe('windowsOf: calendar units of a time zone within [from, to), clipped (SPEC §2.3)', () => {
  it.each([
    [
      'UTC hours, the first and last clipped',
      ['2026-01-01T10:30:00Z', '2026-01-01T13:15:00Z', 'HOUR', 'UTC'],
      [
        '2026-01-01T10:30Z→2026-01-01T11:00Z',
        '2026-01-01T11:00Z→2026-01-01T12:00Z',
        '2026-01-01T12:00Z→2026-01-01T13:00Z',
        '2026-01-01T13:00Z→2026-01-01T13:15Z',
      ],
    ],
    [
      'Europe/Paris spring: 02:00 local does not exist, so 01:00 CET is followed by 03:00 CEST',
      ['2026-03-29T00:00:00Z', '2026-03-29T03:00:00Z', 'HOUR', 'Europe/Paris'],
      [
        '2026-03-29T00:00Z→2026-03-29T01:00Z',
        '2026-03-29T01:00Z→2026-03-29T02:00Z',
        '2026-03-29T02:00Z→2026-03-29T03:00Z',
      ],
    ],
    [
      'Europe/Paris autumn: 02:00–03:00 local happens twice, two windows',
      ['2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', 'HOUR', 'Europe/Paris'],
      [
        '2026-10-24T23:00Z→2026-10-25T00:00Z',
        '2026-10-25T00:00Z→2026-10-25T01:00Z',
        '2026-10-25T01:00Z→2026-10-25T02:00Z',
        '2026-10-25T02:00Z→2026-10-25T03:00Z',
      ],
    ],
    [
      'Asia/Kolkata (+05:30): hours start at :30 UTC',
      ['2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z', 'HOUR', 'Asia/Kolkata'],
      [
        '2026-01-01T00:00Z→2026-01-01T00:30Z',
        '2026-01-01T00:30Z→2026-01-01T01:30Z',
        '2026-01-01T01:30Z→2026-01-01T02:00Z',
      ],
    ],
    [
      'Europe/Paris days: 23 hours on the spring day, local midnight to local midnight',
      ['2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z', 'DAY', 'Europe/Paris'],
      [
        '2026-03-27T23:00Z→2026-03-28T23:00Z',
        '2026-03-28T23:00Z→2026-03-29T22:00Z',
        '2026-03-29T22:00Z→2026-03-30T22:00Z',
      ],
    ],
    [
      'Europe/Paris days: 25 hours on the autumn day',
      ['2026-10-24T22:00:00Z', '2026-10-26T23:00:00Z', 'DAY', 'Europe/Paris'],
      ['2026-10-24T22:00Z→2026-10-25T23:00Z', '2026-10-25T23:00Z→2026-10-26T23:00Z'],
    ],
    [
      'America/New_York days: 23 hours on 2026-03-08, 25 on 2026-11-01',
      ['2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 'DAY', 'America/New_York'],
      ['2026-03-08T05:00Z→2026-03-09T04:00Z'],
    ],
    [
      'America/New_York autumn day',
      ['2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 'DAY', 'America/New_York'],
      ['2026-11-01T04:00Z→2026-11-02T05:00Z'],
    ],
    [
      'America/New_York autumn hours: 01:00 EDT and 01:00 EST are two windows',
      ['2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z', 'HOUR', 'America/New_York'],
      [
        '2026-11-01T04:00Z→2026-11-01T05:00Z',
        '2026-11-01T05:00Z→2026-11-01T06:00Z',
        '2026-11-01T06:00Z→2026-11-01T07:00Z',
        '2026-11-01T07:00Z→2026-11-01T08:00Z',
      ],
    ],
    [
      'a day that starts at 01:00 because midnight is skipped (America/Sao_Paulo, 2018-11-04)',
      ['2018-11-03T12:00:00Z', '2018-11-05T12:00:00Z', 'DAY', 'America/Sao_Paulo'],
      [
        '2018-11-03T12:00Z→2018-11-04T03:00Z',
        '2018-11-04T03:00Z→2018-11-05T02:00Z',
        '2018-11-05T02:00Z→2018-11-05T12:00Z',
      ],
    ],
    [
      'months from local midnight of the 1st, across a DST change',
      ['2026-02-15T00:00:00Z', '2026-05-01T00:00:00Z', 'MONTH', 'Europe/Paris'],
      [
        '2026-02-15T00:00Z→2026-02-28T23:00Z',
        '2026-02-28T23:00Z→2026-03-31T22:00Z',
        '2026-03-31T22:00Z→2026-04-30T22:00Z',
        '2026-04-30T22:00Z→2026-05-01T00:00Z',
      ],
    ],
    [
      'a window shorter than its unit is one clipped window',
      ['2026-01-05T10:00:00.250Z', '2026-01-05T10:00:00.750Z', 'MONTH', 'UTC'],
      ['2026-01-05T10:00:00.250Z→2026-01-05T10:00:00.750Z'],
    ],
  ] as const)('%s', (_name, [from, to, unit, zone], expected) => {
    expect(windows(from, to, unit, zone)).toEqual(expected);
  });

  it('allows exactly MAX_WINDOWS windows and refuses one more', () => {
    const from = '2026-01-01T00:00:00Z';
    const hoursLater = (h: number) => new Date(Date.parse(from) + h * 3_600_000).toISOString();
    expect(windows(from, hoursLater(MAX_WINDOWS), 'HOUR', 'UTC')).toHaveLength(MAX_WINDOWS);
    expect(windows(from, hoursLater(3), 'HOUR', 'UTC', 2)).toBeNull();
    expect(windows(from, hoursLater(MAX_WINDOWS + 0.5), 'HOUR', 'UTC')).toBeNull();
    // A century of hours stops at the limit instead of listing them all.
    expect(windows('1970-01-01T00:00:00Z', '2070-01-01T00:00:00Z', 'HOUR', 'UTC')).toBeNull();
  });

  it('every Paris hour of 40 days around the spring change is 60 minutes, contiguous', () => {
    const list = windowsOf(
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-04-10T00:00:00Z'),
      'HOUR',
      new ZoneClock('Europe/Paris'),
    )!;
    expect(list).toHaveLength(40 * 24);
    expect(list.every((w) => w.to.getTime() - w.from.getTime() === 3_600_000)).toBe(true);
    expect(list.every((w, i) => i === 0 || w.from.getTime() === list[i - 1].to.getTime())).toBe(true);
  });

  it('an unknown zone is a RangeError', () => {
    expect(() => new ZoneClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
