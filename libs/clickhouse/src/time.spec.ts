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

  it('agrees with Date#toISOString on instants spread over 1970–2100, in any order', () => {
    let seed = 42;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    for (let i = 0; i < 20_000; i++) {
      // Neighbours in the same day and second too, as a batch has them.
      const ms = i % 3 === 0 ? (next() % 4_102_444_800) * 1000 + (next() % 1000) : next() * 1907;
      const iso = new Date(ms).toISOString();
      expect(toClickHouseTime(new Date(ms))).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
    }
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
