import { fromClickHouseTime, MonotonicClock, toClickHouseTime, toClickHouseTimeUs } from './time';

describe('ClickHouse time text', () => {
  it.each([
    ['2024-03-14T12:00:00.123Z', '2024-03-14 12:00:00.123'],
    ['1970-01-01T00:00:00.000Z', '1970-01-01 00:00:00.000'],
    ['2024-03-14T12:00:00.007Z', '2024-03-14 12:00:00.007'],
    ['2024-03-14T12:00:01.050Z', '2024-03-14 12:00:01.050'],
    ['2126-01-01T23:59:59.999Z', '2126-01-01 23:59:59.999'],
  ])('%s -> %s and back', (iso, text) => {
    expect(toClickHouseTime(new Date(iso))).toBe(text);
    expect(fromClickHouseTime(text)).toEqual(new Date(iso));
  });

  it('formats microseconds', () => {
    expect(toClickHouseTimeUs(Date.parse('2024-03-14T12:00:00.123Z') * 1000 + 456)).toBe(
      '2024-03-14 12:00:00.123456',
    );
    expect(toClickHouseTimeUs(1_000_005)).toBe('1970-01-01 00:00:01.000005');
  });

  it('never repeats nor goes back within a process', () => {
    const clock = new MonotonicClock();
    const seen = Array.from({ length: 5000 }, () => clock.nowUs());
    expect(new Set(seen).size).toBe(5000);
    expect(seen.every((t, i) => i === 0 || t > seen[i - 1])).toBe(true);
  });
});
