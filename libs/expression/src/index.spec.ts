import { Decimal } from '../../common/src/decimal';
import { compileExpression, ExpressionError, formatExpressionValue } from './index';

const EVENT = { code: 'c', timestamp: 60, properties: { a: '1.25', b: 0.4 } };

describe('compileExpression', () => {
  it('keeps the source and evaluates against any number of events', () => {
    const compiled = compileExpression('event.properties.a * event.properties.b');
    expect(compiled.source).toBe('event.properties.a * event.properties.b');
    expect(formatExpressionValue(compiled.evaluate(EVENT))).toBe('0.5');
    expect(formatExpressionValue(compiled.evaluate({ ...EVENT, properties: { a: 2, b: '3' } }))).toBe('6');
  });

  it('returns typed values', () => {
    const value = compileExpression('event.timestamp / 60').evaluate(EVENT);
    expect(value.kind).toBe('number');
    expect(value.kind === 'number' && value.value.eq(1)).toBe(true);
    expect(compileExpression("concat('n', 1)").evaluate(EVENT)).toEqual({ kind: 'string', value: 'n1' });
  });

  it('throws a parse_error naming the position at compile time', () => {
    let caught: unknown;
    try {
      compileExpression('1 + "x"');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as ExpressionError).kind).toBe('parse_error');
    expect((caught as ExpressionError).message).toBe(`parse_error: unexpected character '"' at position 5`);
  });

  it('defers evaluation errors to evaluate()', () => {
    const compiled = compileExpression('event.properties.missing / 0');
    expect(() => compiled.evaluate(EVENT)).toThrow('missing_variable: event.properties.missing is not set');
  });
});

describe('formatExpressionValue', () => {
  it.each([
    [{ kind: 'number' as const, value: new Decimal('3.00') }, '3'],
    [{ kind: 'number' as const, value: new Decimal('-0.0') }, '0'],
    [{ kind: 'number' as const, value: new Decimal('1e21') }, '1000000000000000000000'],
    [{ kind: 'string' as const, value: '  x ' }, '  x '],
  ])('%j -> %s', (value, expected) => {
    expect(formatExpressionValue(value)).toBe(expected);
  });
});
