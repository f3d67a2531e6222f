import { canonical, Decimal, roundDecimal, type RoundingMode } from '../../common/src/decimal';
import type { FunctionName } from './ast';
import { ExpressionError } from './errors';
import { asDecimal, formatValue, numberValue, stringValue, type ExpressionValue } from './values';

export interface FunctionDefinition {
  readonly minArgs: number;
  readonly maxArgs: number;
  apply(args: ExpressionValue[]): ExpressionValue;
}

/** Rounding precision accepted by round/ceil/floor; far beyond any real use, and keeps output small. */
export const MAX_ROUNDING_PRECISION = 1000;

/** One definition per function; a new name in FUNCTION_NAMES does not compile until defined here. */
export const FUNCTIONS = {
  round: rounding('round', 'ROUND'),
  ceil: rounding('ceil', 'CEIL'),
  floor: rounding('floor', 'FLOOR'),
  concat: { minArgs: 1, maxArgs: Infinity, apply: (args) => stringValue(args.map(formatValue).join('')) },
  least: extreme('least', (candidate, best) => candidate.lessThan(best)),
  greatest: extreme('greatest', (candidate, best) => candidate.greaterThan(best)),
} satisfies Record<FunctionName, FunctionDefinition>;

/** `name(x[, p])`: p decimals, negative p rounds to tens, hundreds… (SPEC §4.3). */
function rounding(name: FunctionName, mode: RoundingMode): FunctionDefinition {
  return {
    minArgs: 1,
    maxArgs: 2,
    apply: ([value, precision]) => {
      const x = asDecimal(value, `${name} argument 1`);
      const places = precision === undefined ? 0 : roundingPlaces(name, precision);
      return numberValue(roundDecimal(x, mode, places));
    },
  };
}

/**
 * A fractional precision is truncated toward zero, as Lago does (SPEC §4.3: `round(1.55, 1.9)` is
 * 1.6); it must then lie within ±MAX_ROUNDING_PRECISION. The spec has no error kind for a huge
 * precision; it is reported as `expected_decimal` (a usable number was needed).
 */
function roundingPlaces(name: FunctionName, precision: ExpressionValue): number {
  const p = asDecimal(precision, `${name} argument 2`).trunc();
  if (p.abs().greaterThan(MAX_ROUNDING_PRECISION)) {
    throw new ExpressionError(
      'expected_decimal',
      `${name} argument 2 needs a number from -${MAX_ROUNDING_PRECISION} to ${MAX_ROUNDING_PRECISION}, got ${canonical(p).slice(0, 40)}`,
    );
  }
  return p.toNumber() + 0; // never -0
}

/** "1 or 2 arguments", "at least 1 argument": a function's argument count, for messages. */
export function arity(min: number, max: number): string {
  if (max === Infinity) return `at least ${min} argument${min === 1 ? '' : 's'}`;
  return min === max ? `${min} arguments` : `${min} or ${max} arguments`;
}

/** least / greatest: numbers only; on a tie the first argument wins. */
function extreme(
  name: FunctionName,
  better: (candidate: Decimal, best: Decimal) => boolean,
): FunctionDefinition {
  return {
    minArgs: 1,
    maxArgs: Infinity,
    apply: (args) => {
      const values = args.map((arg, i) => asDecimal(arg, `${name} argument ${i + 1}`));
      return numberValue(values.reduce((best, candidate) => (better(candidate, best) ? candidate : best)));
    },
  };
}
