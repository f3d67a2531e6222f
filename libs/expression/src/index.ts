import { evaluate } from './evaluator';
import { parse } from './parser';
import { formatValue, type ExpressionEvent, type ExpressionValue } from './values';

export { ExpressionError, type ExpressionErrorKind } from './errors';
export type { ExpressionEvent, ExpressionValue } from './values';

/** A parsed expression (SPEC §4.3), ready to run on any number of events. */
export interface CompiledExpression {
  readonly source: string;
  /** Throws only ExpressionError (missing_variable, expected_decimal, division_by_zero…). */
  evaluate(event: ExpressionEvent): ExpressionValue;
}

/** Parses once; throws ExpressionError('parse_error') naming the 1-based position. */
export function compileExpression(source: string): CompiledExpression {
  const ast = parse(source);
  return { source, evaluate: (event) => evaluate(ast, event) };
}

/** Numbers as canonical decimals (no exponent, no trailing zeros), strings as they are. */
export function formatExpressionValue(value: ExpressionValue): string {
  return formatValue(value);
}
