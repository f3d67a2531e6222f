import type { Node, Variable } from './ast';
import { applyOperator } from './arithmetic';
import { ExpressionError } from './errors';
import { arity, FUNCTIONS } from './functions';
import {
  asDecimal,
  missing,
  numberValue,
  propertyValue,
  stringValue,
  timestampValue,
  type ExpressionEvent,
  type ExpressionValue,
} from './values';

/**
 * Evaluates a parsed expression against one event. Operands are evaluated left to right. The
 * parser already refused a wrong number of arguments; the check here guards hand-built trees.
 */
export function evaluate(node: Node, event: ExpressionEvent): ExpressionValue {
  switch (node.type) {
    case 'number':
      return numberValue(node.value);
    case 'string':
      return stringValue(node.value);
    case 'variable':
      return readVariable(node.variable, event);
    case 'negate':
      return numberValue(asDecimal(evaluate(node.operand, event), 'unary minus').negated());
    case 'binary': {
      const left = evaluate(node.left, event);
      const right = evaluate(node.right, event);
      const what = `operator ${node.operator}`;
      return numberValue(applyOperator(node.operator, asDecimal(left, what), asDecimal(right, what)));
    }
    case 'call':
      return call(node, event);
  }
}

function call(node: Extract<Node, { type: 'call' }>, event: ExpressionEvent): ExpressionValue {
  const definition = FUNCTIONS[node.name];
  const count = node.args.length;
  if (count < definition.minArgs || count > definition.maxArgs) {
    throw new ExpressionError(
      'wrong_number_of_arguments',
      `${node.name} takes ${arity(definition.minArgs, definition.maxArgs)}, got ${count}`,
    );
  }
  return definition.apply(node.args.map((arg) => evaluate(arg, event)));
}

function readVariable(variable: Variable, event: ExpressionEvent): ExpressionValue {
  switch (variable.scope) {
    case 'timestamp':
      return timestampValue(event.timestamp);
    case 'code':
      if (typeof event.code !== 'string') throw missing('event.code');
      return stringValue(event.code);
    case 'property':
      if (typeof event.properties !== 'object' || event.properties === null) {
        throw missing(`event.properties.${variable.name}`);
      }
      return propertyValue(event.properties, variable.name);
  }
}
