import { ExpressionError } from './errors';
import { compileExpression, formatExpressionValue } from './index';
import { MAX_SOURCE_LENGTH } from './lexer';

const EVENT = { code: 'c', timestamp: 1741007009, properties: { a: '1e1000', b: '7', t: 'x', z: 0 } };

/** Compiles and evaluates; returns the outcome, and fails the test on anything but ExpressionError. */
function outcome(source: string): string {
  try {
    return formatExpressionValue(compileExpression(source).evaluate(EVENT));
  } catch (error) {
    if (error instanceof ExpressionError) return error.kind;
    throw new Error(`${JSON.stringify(source)} threw ${String(error)}`);
  }
}

const LEAVES = ['0', '1', '2.5', '00012.10', "'x'", "'1.5'", 'event.properties.a', 'event.properties.b'];
LEAVES.push(
  'event.properties.z',
  'event.properties.t',
  'event.properties.none',
  'event.timestamp',
  'event.code',
);
const FUNCTIONS = ['round', 'CEIL', 'Floor', 'concat', 'least', 'GREATEST', 'min'];
const NOISE = ['.', '"', '\t', 'e', '-', '(', ')', ',', '1e3', ' '];

/** Random expressions, mostly well-formed, some corrupted; deterministic (LCG) so failures reproduce. */
function randomSources(count: number, seed: number): string[] {
  let state = seed;
  const pick = <T>(items: T[]): T => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return items[Math.floor(state / 65536) % items.length]; // the high bits: an LCG's low bits cycle
  };
  const expression = (depth: number): string => {
    const shape = depth > 3 ? 'leaf' : pick(['leaf', 'leaf', 'binary', 'binary', 'negate', 'paren', 'call']);
    if (shape === 'binary')
      return `${expression(depth + 1)} ${pick(['+', '-', '*', '/'])} ${expression(depth + 1)}`;
    if (shape === 'negate') return `-${expression(depth + 1)}`;
    if (shape === 'paren') return `(${expression(depth + 1)})`;
    if (shape === 'call') {
      const args = Array.from({ length: pick([0, 1, 1, 2, 2, 3]) }, () => expression(depth + 1));
      return `${pick(FUNCTIONS)}(${args.join(', ')})`;
    }
    return pick(LEAVES);
  };
  return Array.from({ length: count }, () => {
    const source = expression(0);
    const at = pick(Array.from({ length: source.length + 1 }, (_, i) => i));
    return pick([true, false, false, false])
      ? source.slice(0, at) + pick(NOISE) + source.slice(at + 1)
      : source;
  });
}

describe('robustness', () => {
  it('answers random input with a value or an ExpressionError, never anything else', () => {
    const outcomes = randomSources(5000, 42).map(outcome);
    const kinds = new Set(outcomes);
    for (const kind of ['parse_error', 'wrong_number_of_arguments', 'missing_variable', 'expected_decimal']) {
      expect(kinds).toContain(kind);
    }
    expect(kinds).toContain('division_by_zero');
    expect(outcomes.filter((o) => /^-?\d/.test(o)).length).toBeGreaterThan(500);
  });

  it.each([
    ['deep parentheses', `${'('.repeat(2000)}1${')'.repeat(2000)}`, 'parse_error'],
    ['deep calls', `${'least('.repeat(500)}1${')'.repeat(500)}`, 'parse_error'],
    ['an over-long source', `1${' '.repeat(MAX_SOURCE_LENGTH)}`, 'parse_error'],
    ['many unary minus', '-'.repeat(4000), 'parse_error'],
    ['an unterminated string', `'${'x'.repeat(4000)}`, 'parse_error'],
  ])('%s', (_name, source, kind) => {
    expect(outcome(source)).toBe(kind);
  });

  it('stays fast on the largest numbers a source can hold', () => {
    const started = Date.now();
    const digits = '9'.repeat(2000);
    expect(outcome(`${digits}.${digits.slice(0, 40)} / 7`)).toMatch(/^142857/);
    expect(outcome(`1 / ${digits}`)).toMatch(/^0\.000/);
    expect(outcome(`round(${digits}, -1000) * 1`)).toMatch(/^1[0-9]*$/);
    expect(outcome(Array.from({ length: 200 }, () => 'event.properties.a').join('*')).length).toBeGreaterThan(
      1000,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
