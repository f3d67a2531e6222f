import { canonical } from '../../common/src/decimal';
import { ExpressionError } from './errors';
import { decimalFromText, formatValue, propertyValue, timestampValue, type ExpressionValue } from './values';

function show(value: ExpressionValue): string {
  return `${value.kind}:${formatValue(value)}`;
}

describe('decimalFromText', () => {
  it.each([
    ['12.50', '12.5'],
    ['-5', '-5'],
    ['+5', '5'],
    ['1e3', '1000'],
    ['1.5E-2', '0.015'],
    ['00012.1', '12.1'],
    ['.5', '0.5'],
    ['1e1000', `1${'0'.repeat(1000)}`],
  ])('%s is the decimal %s', (text, expected) => {
    const decimal = decimalFromText(text);
    expect(decimal && canonical(decimal)).toBe(expected);
  });

  it.each(['', 'abc', ' 1', '1 ', '0x10', 'Infinity', 'NaN', '1e', '1e1001', '1e-99999999999', '1,5', '--1'])(
    '%j is not a decimal',
    (text) => {
      expect(decimalFromText(text)).toBeUndefined();
    },
  );
});

describe('propertyValue', () => {
  it.each<[unknown, string]>([
    [1.23, 'number:1.23'],
    [0.1 + 0.2, 'number:0.30000000000000004'],
    [1e21, 'number:1000000000000000000000'],
    [200, 'number:200'],
    ['1e3', 'number:1000'],
    ['u1', 'string:u1'],
    ['', 'string:'],
    [true, 'string:true'],
    [false, 'string:false'],
    [{ a: [1, 'x'] }, 'string:{"a":[1,"x"]}'],
    [[1, 2], 'string:[1,2]'],
    [Number.NaN, 'string:NaN'],
  ])('%j -> %s', (raw, expected) => {
    expect(show(propertyValue({ p: raw }, 'p'))).toBe(expected);
  });

  it.each([{}, { p: null }, { p: undefined }, { P: '1' }])('%j has no property p', (properties) => {
    expect(() => propertyValue(properties, 'p')).toThrow(
      new ExpressionError('missing_variable', 'event.properties.p is not set'),
    );
  });

  it('never reads inherited members', () => {
    expect(() => propertyValue({}, 'constructor')).toThrow('missing_variable');
    expect(() => propertyValue({}, 'hasOwnProperty')).toThrow('missing_variable');
  });
});

describe('timestampValue', () => {
  it('is the number of seconds', () => {
    expect(show(timestampValue(1741007009))).toBe('number:1741007009');
  });

  it.each([Number.NaN, undefined, '12'])('%j is missing', (raw) => {
    expect(() => timestampValue(raw)).toThrow('missing_variable: event.timestamp is not set');
  });
});
