/** The five failure kinds of SPEC §4.3; every error message starts with its kind. */
export type ExpressionErrorKind =
  'parse_error' | 'wrong_number_of_arguments' | 'missing_variable' | 'expected_decimal' | 'division_by_zero';

/** The only error compiling or evaluating an expression throws. */
export class ExpressionError extends Error {
  constructor(
    readonly kind: ExpressionErrorKind,
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'ExpressionError';
  }
}

/** A parse error always says where: `position` is 1-based, counted in UTF-16 code units. */
export function parseError(detail: string, position: number): ExpressionError {
  return new ExpressionError('parse_error', `${detail} at position ${position}`);
}
