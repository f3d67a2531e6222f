import DecimalJs from 'decimal.js';

/**
 * The one decimal type of the product (SPEC §4.1). Precision is far above anything a value can
 * carry, so +, -, * are exact for every value we accept; division sets its own precision where it
 * is used. Half-up on the last digit when a result must be cut.
 */
export const Decimal = DecimalJs.clone({
  precision: 1000,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = InstanceType<typeof Decimal>;

/** A plain decimal as SPEC §3 defines it: optional minus, digits, optional fraction. */
export const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export function isPlainDecimal(text: string): boolean {
  return PLAIN_DECIMAL.test(text);
}

/** Canonical text: no exponent, no trailing zeros after the point, no trailing point, never "-0". */
export function canonical(value: Decimal | string | number): string {
  const d = value instanceof Decimal ? value : new Decimal(value);
  if (d.isZero()) return '0';
  return d.toFixed();
}

/** The exact decimal of a protobuf double: the shortest text that round-trips it (SPEC §2.2 rule 10). */
export function fromDouble(n: number): Decimal {
  return new Decimal(String(n));
}

export type RoundingMode = 'ROUND' | 'CEIL' | 'FLOOR';

const ROUNDING = {
  ROUND: DecimalJs.ROUND_HALF_UP, // decimal.js HALF_UP is half away from zero
  CEIL: DecimalJs.ROUND_CEIL,
  FLOOR: DecimalJs.ROUND_FLOOR,
} satisfies Record<RoundingMode, DecimalJs.Rounding>;

/**
 * Rounds at `precision` decimals; a negative precision rounds to tens, hundreds… (SPEC §3.7).
 */
export function roundDecimal(value: Decimal, mode: RoundingMode, precision = 0): Decimal {
  const shift = new Decimal(10).pow(-precision);
  if (precision >= 0) return value.toDecimalPlaces(precision, ROUNDING[mode]);
  return value.div(shift).toDecimalPlaces(0, ROUNDING[mode]).mul(shift);
}
