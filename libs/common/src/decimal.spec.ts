import { canonical, Decimal, fromDouble, isPlainDecimal, roundDecimal } from './decimal';

describe('canonical', () => {
  it.each([
    ['48.000', '48'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['0.000001', '0.000001'],
    ['1e21', '1000000000000000000000'],
    ['1e-7', '0.0000001'],
    ['123456789012345678.123456789', '123456789012345678.123456789'],
    ['-12.50', '-12.5'],
  ])('%s -> %s', (input, expected) => {
    expect(canonical(input)).toBe(expected);
  });
});

describe('fromDouble', () => {
  it('keeps the shortest round-trip text', () => {
    expect(canonical(fromDouble(1.23))).toBe('1.23');
    expect(canonical(fromDouble(0.1 + 0.2))).toBe('0.30000000000000004');
    expect(canonical(fromDouble(1e-7))).toBe('0.0000001');
  });
});

describe('isPlainDecimal', () => {
  it.each([
    ['12.50', true],
    ['-3', true],
    ['1e5', false],
    ['+1', false],
    [' 1', false],
    ['1.', false],
    ['.5', false],
    ['', false],
  ])('%s -> %s', (input, expected) => {
    expect(isPlainDecimal(input)).toBe(expected);
  });
});

describe('roundDecimal (SPEC §3.7 examples on 123.456)', () => {
  const v = new Decimal('123.456');
  it.each([
    ['ROUND', 2, '123.46'],
    ['ROUND', -2, '100'],
    ['ROUND', 0, '123'],
    ['CEIL', 0, '124'],
    ['CEIL', -2, '200'],
    ['FLOOR', 2, '123.45'],
    ['FLOOR', -1, '120'],
  ] as const)('%s %d -> %s', (mode, precision, expected) => {
    expect(canonical(roundDecimal(v, mode, precision))).toBe(expected);
  });

  it('rounds half away from zero for negatives', () => {
    expect(canonical(roundDecimal(new Decimal('-2.5'), 'ROUND'))).toBe('-3');
    expect(canonical(roundDecimal(new Decimal('-2.5'), 'CEIL'))).toBe('-2');
    expect(canonical(roundDecimal(new Decimal('-2.5'), 'FLOOR'))).toBe('-3');
    expect(canonical(roundDecimal(new Decimal('-250'), 'ROUND', -2))).toBe('-300');
  });
});
