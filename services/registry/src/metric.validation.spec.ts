import { InvalidArgumentError } from '../../../libs/common/src/errors';
import { validateMetric, type MetricInput } from './metric.validation';

const sum: MetricInput = { name: 'Storage', code: 'storage', aggregationType: 'SUM_AGG', fieldName: 'gb' };

function error(input: MetricInput | null): string {
  try {
    validateMetric(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('validateMetric (SPEC §2.1)', () => {
  it('reports every invalid field in one error, one line per field, in field order', () => {
    expect(
      error({
        name: '',
        code: 'a b',
        aggregationType: 'SUM_AGG',
        fieldName: '',
        roundingPrecision: 2,
        expression: 'round(event.properties.x, 1, 2)',
        filters: [
          { key: 'k', values: ['v'] },
          { key: 'k', values: [] },
        ],
      }).split('\n'),
    ).toEqual([
      'metric.name: required',
      'metric.code: must match ^[A-Za-z0-9_.:-]{1,255}$',
      'metric.field_name: required for SUM_AGG',
      'metric.rounding_precision: only allowed with a rounding_function',
      'metric.expression: wrong_number_of_arguments: round takes 1 or 2 arguments, got 3 at position 1',
      'metric.filters[1].key: duplicate key "k"',
      'metric.filters[1].values: at least one value is required',
    ]);
  });

  it('refuses an expression with a wrong number of arguments, before any evaluation error', () => {
    expect(error({ ...sum, expression: '1 / 0 + concat()' })).toBe(
      'metric.expression: parse_error: concat() needs at least one argument at position 9',
    );
    expect(error({ ...sum, expression: 'event.properties.missing + least()' })).toMatch(
      /^metric\.expression: parse_error: least\(\) needs at least one argument/,
    );
  });

  it.each<[string, MetricInput | null, string]>([
    ['metric missing', null, 'metric: required'],
    ['name missing', { ...sum, name: '' }, 'metric.name: required'],
    ['code missing', { ...sum, code: '' }, 'metric.code: required'],
    ['code with a space', { ...sum, code: 'a b' }, 'metric.code: must match'],
    ['code too long', { ...sum, code: 'x'.repeat(256) }, 'metric.code: must match'],
    [
      'type unspecified',
      { ...sum, aggregationType: 'AGGREGATION_TYPE_UNSPECIFIED' },
      'metric.aggregation_type: required',
    ],
    ['field_name missing for SUM', { ...sum, fieldName: '' }, 'metric.field_name: required for SUM_AGG'],
    [
      'recurring on MAX',
      { ...sum, aggregationType: 'MAX_AGG', recurring: true },
      'metric.recurring: only allowed for',
    ],
    [
      'recurring on COUNT',
      { ...sum, aggregationType: 'COUNT_AGG', recurring: true },
      'metric.recurring: only allowed for',
    ],
    [
      'weighted without interval',
      { ...sum, aggregationType: 'WEIGHTED_SUM_AGG' },
      'metric.weighted_interval: required for WEIGHTED_SUM_AGG',
    ],
    [
      'interval on SUM',
      { ...sum, weightedInterval: 'SECONDS' },
      'metric.weighted_interval: only allowed for WEIGHTED_SUM_AGG',
    ],
    [
      'precision without function',
      { ...sum, roundingPrecision: 2 },
      'metric.rounding_precision: only allowed with a rounding_function',
    ],
    [
      'precision out of range',
      { ...sum, roundingFunction: 'ROUND', roundingPrecision: 16 },
      'metric.rounding_precision: must be an integer from -15 to 15',
    ],
    [
      'precision too negative',
      { ...sum, roundingFunction: 'ROUND', roundingPrecision: -16 },
      'metric.rounding_precision: must be an integer',
    ],
    ['expression that does not parse', { ...sum, expression: 'round(1' }, 'metric.expression: parse_error'],
    [
      'filter without key',
      { ...sum, filters: [{ key: '', values: ['a'] }] },
      'metric.filters[0].key: required',
    ],
    [
      'filter without values',
      { ...sum, filters: [{ key: 'k', values: [] }] },
      'metric.filters[0].values: at least one value',
    ],
    [
      'duplicate filter keys',
      {
        ...sum,
        filters: [
          { key: 'k', values: ['a'] },
          { key: 'k', values: ['b'] },
        ],
      },
      'metric.filters[1].key: duplicate key "k"',
    ],
  ])('%s', (_name, input, expected) => {
    expect(error(input)).toContain(expected);
  });

  it('names the position of a parse error', () => {
    expect(error({ ...sum, expression: '1 + $' })).toMatch(/position 5/);
  });

  it('ignores and empties field_name for COUNT_AGG', () => {
    expect(validateMetric({ ...sum, aggregationType: 'COUNT_AGG', fieldName: 'ignored' }).fieldName).toBe('');
  });

  it('accepts every rule at its edge', () => {
    const m = validateMetric({
      ...sum,
      code: 'a.b:c-d_E9',
      recurring: true,
      roundingFunction: 'FLOOR',
      roundingPrecision: -15,
      expression: 'event.properties.a * 2',
      filters: [{ key: 'region', values: ['eu', 'us'] }],
    });
    expect(m).toMatchObject({
      recurring: true,
      roundingFunction: 'FLOOR',
      roundingPrecision: -15,
      weightedInterval: null,
    });
  });

  it('treats an unspecified rounding function as no rounding', () => {
    expect(
      validateMetric({ ...sum, roundingFunction: 'ROUNDING_FUNCTION_UNSPECIFIED' }).roundingFunction,
    ).toBeNull();
  });
});
