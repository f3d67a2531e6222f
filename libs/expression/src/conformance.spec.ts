import { readFileSync } from 'node:fs';
import path from 'node:path';
import { canonical, isPlainDecimal } from '../../common/src/decimal';
import { compileExpression, ExpressionError, formatExpressionValue, type ExpressionEvent } from './index';

/** Shared conformance cases (SPEC §4.3); see test/conformance/README.md. */
interface ExpressionCase {
  id: string;
  expression: string;
  event: ExpressionEvent;
  expect: { value: string } | { error: string };
}

const CASES_FILE = path.resolve(__dirname, '../../../test/conformance/expression-cases.json');
const CASES = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as ExpressionCase[];

/** Numbers compare as decimals (`3` equals `3.00`) when both sides are decimals; otherwise as text. */
function comparable(actual: string, expected: string): [string, string] {
  const numbers = isPlainDecimal(actual) && isPlainDecimal(expected);
  return numbers ? [canonical(actual), canonical(expected)] : [actual, expected];
}

function outcome(testCase: ExpressionCase): { value: string } | { error: string; message: string } {
  try {
    return { value: formatExpressionValue(compileExpression(testCase.expression).evaluate(testCase.event)) };
  } catch (error) {
    if (error instanceof ExpressionError) return { error: error.kind, message: error.message };
    throw error;
  }
}

describe('expression conformance cases', () => {
  it('loads the cases', () => {
    expect(CASES.length).toBeGreaterThan(0);
  });

  it.each(CASES.map((testCase) => [testCase.id, testCase.expression, testCase] as const))(
    '%s: %s',
    (_id, _expression, testCase) => {
      const actual = outcome(testCase);
      if ('error' in testCase.expect) {
        expect(actual).toMatchObject({ error: testCase.expect.error });
        expect('message' in actual && actual.message.startsWith(`${testCase.expect.error}: `)).toBe(true);
      } else {
        if (!('value' in actual)) throw new Error(`expected a value, got ${actual.message}`);
        const [got, wanted] = comparable(actual.value, testCase.expect.value);
        expect(got).toBe(wanted);
      }
    },
  );
});
