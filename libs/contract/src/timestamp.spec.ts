import { InvalidTimestamp, invalidTimestampReason, MAX_NANOS, timestampToDate } from './timestamp';

describe('timestampToDate', () => {
  it.each([
    [{ seconds: 0, nanos: 0 }, '1970-01-01T00:00:00.000Z'],
    [{ seconds: 1767225600, nanos: MAX_NANOS }, '2026-01-01T00:00:00.999Z'],
    [{ seconds: '1767225600', nanos: 1_000_000 }, '2026-01-01T00:00:00.001Z'],
    [{ seconds: { toNumber: () => 60 }, nanos: 500_000 }, '1970-01-01T00:01:00.000Z'],
  ])('decodes %j as %s (milliseconds, truncated)', (message, iso) => {
    const date = timestampToDate(message);
    expect(date).not.toBeInstanceOf(InvalidTimestamp);
    expect(date.toISOString()).toBe(iso);
  });

  it.each([MAX_NANOS + 1, -1, 2_000_000_000, 0.5])(
    'refuses nanos = %d instead of shifting the instant',
    (nanos) => {
      const date = timestampToDate({ seconds: 0, nanos });
      expect(date).toBeInstanceOf(InvalidTimestamp);
      expect(invalidTimestampReason(date)).toBe(`nanos must be within 0…999999999, got ${nanos}`);
    },
  );

  it('has no reason for a valid or absent timestamp', () => {
    expect(invalidTimestampReason(new Date(0))).toBeNull();
    expect(invalidTimestampReason(undefined)).toBeNull();
    expect(invalidTimestampReason(null)).toBeNull();
  });
});
