import { isStorableDecimal, NUMERIC_VALUE, NUMERIC_VALUE_SQL } from './decimals';

describe('isStorableDecimal (what Decimal(76, 20) holds exactly)', () => {
  it.each([
    ['12.5', true],
    ['-3', true],
    ['0.000001', true],
    ['123456789012345678.123456789', true],
    ['9'.repeat(38), true],
    ['9'.repeat(39), false],
    [`1.${'1'.repeat(20)}`, true],
    [`1.${'1'.repeat(21)}`, false],
    [`1.5${'0'.repeat(30)}`, true],
    [`${'0'.repeat(30)}7`, true],
    ['1e5', false],
    ['+1', false],
    ['1.', false],
    ['', false],
  ])('%s -> %s', (text, expected) => {
    expect(isStorableDecimal(text)).toBe(expected);
  });

  it('is one pattern for SQL and TypeScript', () => {
    expect(NUMERIC_VALUE.source).toBe(NUMERIC_VALUE_SQL);
  });
});
