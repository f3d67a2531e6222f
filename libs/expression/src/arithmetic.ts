import { Decimal } from '../../common/src/decimal';
import { ExpressionError } from './errors';

/** Significant digits kept by a division whose quotient does not terminate (SPEC §4.3). */
export const QUOTIENT_DIGITS = 100;

/**
 * Exact when the quotient terminates, else rounded half-up to QUOTIENT_DIGITS significant digits.
 *
 * With a = A·10^i and b = B·10^j (A, B integers of sd(a), sd(b) digits), a terminating quotient has
 * at most sd(a) + 2.33·sd(b) + 1 significant digits (B's reduced denominator is 2^x·5^y with
 * x < 3.33·sd(b)), so dividing at sd(a) + 3·sd(b) + 2 digits, rounding toward zero, finds it
 * exactly. A truncated quotient times b stays strictly smaller than a in magnitude, even after that
 * product is itself rounded toward zero, so the product test below never mistakes one for exact.
 */
export function divide(dividend: Decimal, divisor: Decimal): Decimal {
  if (divisor.isZero()) throw new ExpressionError('division_by_zero', 'the divisor is zero');
  const wide = Decimal.clone({
    precision: dividend.sd() + 3 * divisor.sd() + 2,
    rounding: Decimal.ROUND_DOWN,
  });
  const quotient = wide.div(dividend, divisor);
  if (wide.mul(quotient, divisor).eq(dividend)) return new Decimal(quotient);
  const short = Decimal.clone({ precision: QUOTIENT_DIGITS, rounding: Decimal.ROUND_HALF_UP });
  return new Decimal(short.div(dividend, divisor));
}

export function applyOperator(operator: '+' | '-' | '*' | '/', left: Decimal, right: Decimal): Decimal {
  switch (operator) {
    case '+':
      return left.plus(right);
    case '-':
      return left.minus(right);
    case '*':
      return left.times(right);
    case '/':
      return divide(left, right);
  }
}
