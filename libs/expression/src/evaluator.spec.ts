import { ExpressionError, type ExpressionErrorKind } from './errors';
import { evaluate } from './evaluator';
import { parse } from './parser';
import { formatValue, type ExpressionEvent } from './values';

const EVENT: ExpressionEvent = {
  code: 'api_calls',
  timestamp: 1741007009,
  properties: { n: 1.23, s: '2.5', neg: '-5', exp: '1e3', text: 'abc', zero: '0', yes: true, nothing: null },
};

function run(source: string, event: ExpressionEvent = EVENT): string {
  return formatValue(evaluate(parse(source), event));
}

function failure(source: string, event: ExpressionEvent = EVENT): ExpressionError {
  try {
    run(source, event);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`no error for ${source}`);
}

describe('evaluate: arithmetic', () => {
  it.each([
    ['1 + 2 * 3 - 4 / 2', '5'],
    ['(1 + 2) * 3', '9'],
    ['10 - 4 - 3', '3'],
    ['100 / 10 / 5', '2'],
    ['2 - -3', '5'],
    ['-(-3)', '3'],
    ['-2 * -3', '6'],
    ['-round(1.5)', '-2'],
    ['0.1 + 0.2', '0.3'],
    ['1.5 * 2.0', '3'],
    ['10 / 4', '2.5'],
    ['1 / 1024', '0.0009765625'],
    ['2 / 3', `0.${'6'.repeat(99)}7`],
    ['-2 / 3', `-0.${'6'.repeat(99)}7`],
    ['-0 * 1', '0'],
    ['123456789012345678901234567890 * 10', '1234567890123456789012345678900'],
  ])('%s = %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('evaluate: variables', () => {
  it.each([
    ['event.timestamp', '1741007009'],
    ['event.code', 'api_calls'],
    ['event.properties.n * 100', '123'],
    ['event.properties.s * 2', '5'],
    ['event.properties.neg', '-5'],
    ['event.properties.exp + 1', '1001'],
    ['event.properties.text', 'abc'],
    ['event.properties.yes', 'true'],
    ["concat(event.properties.n, '|', event.properties.s)", '1.23|2.5'],
  ])('%s = %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('evaluate: functions', () => {
  it.each([
    ['round(1.5)', '2'],
    ['round(-1.5)', '-2'],
    ['round(2.5)', '3'],
    ['round(12.345, 2)', '12.35'],
    ['round(1250, -2)', '1300'],
    ['round(-1250, -2)', '-1300'],
    ['round(1249, -2)', '1200'],
    ['ceil(1201, -2)', '1300'],
    ['ceil(-1299, -2)', '-1200'],
    ['floor(1299, -2)', '1200'],
    ['floor(-1201, -2)', '-1300'],
    ['ceil(-12.351, 1)', '-12.3'],
    ['floor(-12.351, 1)', '-12.4'],
    ['round(5, -1000)', '0'],
    ['round(1.5, 1000)', '1.5'],
    ['round(1.55, 1.9)', '1.6'],
    ['round(1.5, 0.5)', '2'],
    ['round(1255, -1.9)', '1260'],
    ['ceil(1.21, -0.5)', '2'],
    ['floor(1.99, 1000.9)', '1.99'],
    ["concat('x', 1 / 4, 'y', 3.0)", 'x0.25y3'],
    ["concat('a\\nb')", 'a\\nb'],
    ['least(-1, 3, 0.5)', '-1'],
    ['greatest(-1, 3, 0.5)', '3'],
    ['least(2)', '2'],
  ])('%s = %s', (source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('evaluate: errors', () => {
  it.each<[string, ExpressionErrorKind, string]>([
    ['ceil(1, 2, 3)', 'wrong_number_of_arguments', 'ceil takes 1 or 2 arguments, got 3 at position 1'],
    ['round()', 'parse_error', 'round() needs at least one argument at position 1'],
    ['least()', 'parse_error', 'least() needs at least one argument at position 1'],
    ['1 + concat()', 'parse_error', 'concat() needs at least one argument at position 5'],
    [
      'round(event.properties.missing, 1, 2)',
      'wrong_number_of_arguments',
      'round takes 1 or 2 arguments, got 3 at position 1',
    ],
    [
      '1 / 0 + floor(2, 1, 1)',
      'wrong_number_of_arguments',
      'floor takes 1 or 2 arguments, got 3 at position 9',
    ],
    ['event.properties.missing', 'missing_variable', 'event.properties.missing is not set'],
    ['event.properties.nothing', 'missing_variable', 'event.properties.nothing is not set'],
    ['event.properties.N', 'missing_variable', 'event.properties.N is not set'],
    ['event.properties.toString', 'missing_variable', 'event.properties.toString is not set'],
    ["1 + 'a'", 'expected_decimal', "operator + needs a number, got the string 'a'"],
    ['event.properties.text * 2', 'expected_decimal', "operator * needs a number, got the string 'abc'"],
    ['event.code - 1', 'expected_decimal', "operator - needs a number, got the string 'api_calls'"],
    ['-event.properties.yes', 'expected_decimal', "unary minus needs a number, got the string 'true'"],
    ["round('1.5')", 'expected_decimal', "round argument 1 needs a number, got the string '1.5'"],
    ["round(1.5, '1')", 'expected_decimal', "round argument 2 needs a number, got the string '1'"],
    [
      'floor(1.5, 1001.5)',
      'expected_decimal',
      'floor argument 2 needs a number from -1000 to 1000, got 1001',
    ],
    ["greatest('a', 1)", 'expected_decimal', "greatest argument 1 needs a number, got the string 'a'"],
    ["least(1, 'b')", 'expected_decimal', "least argument 2 needs a number, got the string 'b'"],
    ['1 / 0', 'division_by_zero', 'the divisor is zero'],
    ['1 / event.properties.zero', 'division_by_zero', 'the divisor is zero'],
    ['1 / (2 - 2.0)', 'division_by_zero', 'the divisor is zero'],
  ])('%s -> %s', (source, kind, detail) => {
    const error = failure(source);
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(`${kind}: ${detail}`);
  });

  it('quotes at most 40 characters of a string in a message', () => {
    const error = failure(`1 + '${'x'.repeat(100)}'`);
    expect(error.message).toBe(
      `expected_decimal: operator + needs a number, got the string '${'x'.repeat(40)}…'`,
    );
  });

  it('evaluates left to right: the first failing operand decides the error', () => {
    expect(failure("1 / 0 + 'a'").kind).toBe('division_by_zero');
    expect(failure("round('a') + 1 / 0").kind).toBe('expected_decimal');
    expect(failure('event.properties.missing * (1 / 0)').kind).toBe('missing_variable');
  });

  it('reports a missing variable before a type error found later', () => {
    expect(failure("event.properties.missing + 'a'").kind).toBe('missing_variable');
  });

  it('evaluates a long operator chain without exhausting the stack', () => {
    expect(run(Array.from({ length: 2000 }, () => '1').join('+'))).toBe('2000');
  });
});
