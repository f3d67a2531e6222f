import { InvalidArgumentError } from '../../../libs/common/src/errors';
import { compileExpression, ExpressionError, formatExpressionValue } from '../../../libs/expression/src';

export interface ExpressionEventInput {
  code?: string;
  timestamp?: Date | null;
  properties?: Record<string, unknown> | null;
}

/** EvaluateExpression: SPEC §4.3 on one event, as a dry run; a failure is INVALID_ARGUMENT with its kind. */
export class ExpressionService {
  evaluate(
    expression: string | undefined,
    event: ExpressionEventInput | null | undefined,
    now = new Date(),
  ): string {
    try {
      // An empty expression is a parse_error like any other text that does not parse (SPEC §4.3).
      const value = compileExpression(expression ?? '').evaluate({
        code: event?.code ?? '',
        timestamp: Math.floor((event?.timestamp ?? now).getTime() / 1000),
        properties: event?.properties ?? {},
      });
      return formatExpressionValue(value);
    } catch (error) {
      if (error instanceof ExpressionError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  }
}
