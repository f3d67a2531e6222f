import { canonical, Decimal } from '../../common/src/decimal';
import { divide, QUOTIENT_DIGITS } from './arithmetic';
import { ExpressionError } from './errors';

function quotient(a: string, b: string): string {
  return canonical(divide(new Decimal(a), new Decimal(b)));
}

describe('divide', () => {
  it.each([
    ['10', '4', '2.5'],
    ['1', '8', '0.125'],
    ['-1', '8', '-0.125'],
    ['1', '0.0001', '10000'],
    ['0', '7', '0'],
    // terminating quotients longer than QUOTIENT_DIGITS stay exact
    [
      '1',
      '1267650600228229401496703205376',
      `0.${'0'.repeat(30)}${'7888609052210118054117285652827862296732064351090230047702789306640625'}`,
    ],
    ['1', '3', `0.${'3'.repeat(QUOTIENT_DIGITS)}`],
    ['2', '3', `0.${'6'.repeat(QUOTIENT_DIGITS - 1)}7`],
    ['1741007009', '60', `29016783.48${'3'.repeat(QUOTIENT_DIGITS - 10)}`],
    ['1', '7', `0.${'142857'.repeat(17).slice(0, QUOTIENT_DIGITS - 1)}9`],
  ])('%s / %s', (a, b, expected) => {
    expect(quotient(a, b)).toBe(expected);
  });

  it('keeps exactly QUOTIENT_DIGITS significant digits when the quotient does not terminate', () => {
    expect(divide(new Decimal(1), new Decimal(3)).sd()).toBe(QUOTIENT_DIGITS);
    expect(divide(new Decimal('123456.789'), new Decimal('0.7')).sd()).toBe(QUOTIENT_DIGITS);
  });

  it('refuses a zero divisor', () => {
    expect(() => divide(new Decimal(1), new Decimal('-0.00'))).toThrow(ExpressionError);
    expect(() => divide(new Decimal(1), new Decimal(0))).toThrow('division_by_zero: the divisor is zero');
  });
});
