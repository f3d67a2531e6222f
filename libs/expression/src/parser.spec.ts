import { canonical } from '../../common/src/decimal';
import type { Node } from './ast';
import { ExpressionError } from './errors';
import { MAX_DEPTH, parse } from './parser';

/** A compact, fully parenthesised rendering of the AST, so precedence is visible in the table. */
function show(node: Node): string {
  switch (node.type) {
    case 'number':
      return canonical(node.value);
    case 'string':
      return `'${node.value}'`;
    case 'variable':
      return node.variable.scope === 'property' ? `prop:${node.variable.name}` : node.variable.scope;
    case 'negate':
      return `(-${show(node.operand)})`;
    case 'binary':
      return `(${show(node.left)} ${node.operator} ${show(node.right)})`;
    case 'call':
      return `${node.name}(${node.args.map(show).join(', ')})`;
  }
}

function parseFailure(source: string): string {
  try {
    parse(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(source)}`);
}

describe('parse', () => {
  it.each([
    ['1 + 2 * 3 - 4 / 2', '((1 + (2 * 3)) - (4 / 2))'],
    ['10 - 4 - 3', '((10 - 4) - 3)'],
    ['100 / 10 / 5', '((100 / 10) / 5)'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['2 - -3', '(2 - (-3))'],
    ['-(-3)', '(-(-3))'],
    ['2 * -3', '(2 * (-3))'],
    ['-2 * 3', '((-2) * 3)'],
    ['- round(1.5)', '(-round(1.5))'],
    ['round (1.5, -1)', 'round(1.5, (-1))'],
    ['ROUND(1)', 'round(1)'],
    ['Greatest(1, 2, 3)', 'greatest(1, 2, 3)'],
    ["concat('a', event.code, event.timestamp)", "concat('a', code, timestamp)"],
    ['event.properties.a_b2 * 2', '(prop:a_b2 * 2)'],
    ['00012.10', '12.1'],
  ])('%s', (source, expected) => {
    expect(show(parse(source))).toBe(expected);
  });

  it.each([
    ['', 'unexpected end of expression at position 1'],
    ['1 2', "unexpected '2' at position 3"],
    ['1 +', 'unexpected end of expression at position 4'],
    ['--3', 'only one unary minus per operand at position 2'],
    ['1 * --3', 'only one unary minus per operand at position 6'],
    ['(1 + 2', "expected ')' but found end of expression at position 7"],
    ['1 + 2)', "unexpected ')' at position 6"],
    ['1e3', "unexpected 'e3' at position 2"],
    ['min(1, 2)', "unknown function 'min' at position 1"],
    ['1 + abs(-1)', "unknown function 'abs' at position 5"],
    ['rOUND(1)', "unknown function 'rOUND' at position 1"],
    ['round', "expected '(' after function round at position 6"],
    ['round(1,)', "unexpected ')' at position 9"],
    ['round(1 2)', "expected ')' but found '2' at position 9"],
    ['event.properties', "unknown variable 'event.properties' at position 1"],
    ['EVENT.properties.a', "unknown variable 'EVENT.properties.a' at position 1"],
    ['event.properties.a.b', "unknown variable 'event.properties.a.b' at position 1"],
    ['event.properties.a-b', "unknown variable 'b' at position 20"],
    ['event.Code', "unknown variable 'event.Code' at position 1"],
    ['event.code(1)', "unknown function 'event.code' at position 1"],
    ["'a' 'b'", "unexpected string 'b' at position 5"],
    [',', "unexpected ',' at position 1"],
    ['concat()', 'concat() needs at least one argument at position 1'],
    ['2 * GREATEST()', 'greatest() needs at least one argument at position 5'],
    [`1 '${'y'.repeat(50)}'`, `unexpected string '${'y'.repeat(40)}…' at position 3`],
  ])('%s fails', (source, detail) => {
    expect(parseFailure(source)).toBe(`parse_error: ${detail}`);
  });

  it(`accepts ${MAX_DEPTH} nested levels and refuses one more, without overflowing the stack`, () => {
    const nested = (depth: number) => `${'('.repeat(depth)}1${')'.repeat(depth)}`;
    expect(show(parse(nested(MAX_DEPTH)))).toBe('1');
    expect(parseFailure(nested(MAX_DEPTH + 1))).toBe(
      `parse_error: nesting deeper than ${MAX_DEPTH} levels at position ${MAX_DEPTH + 1}`,
    );
    expect(parseFailure(`${'round('.repeat(400)}1${')'.repeat(400)}`)).toMatch(
      /^parse_error: nesting deeper/,
    );
  });

  it('parses long operator chains iteratively', () => {
    const source = Array.from({ length: 2000 }, () => '1').join('+');
    expect(parse(source).type).toBe('binary');
  });
});
