import type { Decimal } from '../../common/src/decimal';

/** The functions of SPEC §4.3, by their lower-case name. */
export const FUNCTION_NAMES = ['round', 'ceil', 'floor', 'concat', 'least', 'greatest'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type Variable = { scope: 'timestamp' } | { scope: 'code' } | { scope: 'property'; name: string };

export type Operator = '+' | '-' | '*' | '/';

/** Every node keeps the 1-based position of its first token, for messages. */
export type Node =
  | { type: 'number'; value: Decimal; position: number }
  | { type: 'string'; value: string; position: number }
  | { type: 'variable'; variable: Variable; position: number }
  | { type: 'negate'; operand: Node; position: number }
  | { type: 'binary'; operator: Operator; left: Node; right: Node; position: number }
  | { type: 'call'; name: FunctionName; args: Node[]; position: number };
