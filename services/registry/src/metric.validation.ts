import { InvalidArgumentError } from '../../../libs/common/src/errors';
import {
  AGGREGATION_TYPES,
  type AggregationTypeName,
  type MetricFields,
  type MetricFilter,
} from '../../../libs/common/src/domain';
import type { RoundingMode } from '../../../libs/common/src/decimal';
import { compileExpression, ExpressionError } from '../../../libs/expression/src';

/** A metric as the client writes it, before validation (the contract's fields, enums by name). */
export interface MetricInput {
  name?: string;
  code?: string;
  description?: string;
  aggregationType?: string;
  fieldName?: string;
  recurring?: boolean;
  weightedInterval?: string;
  roundingFunction?: string;
  roundingPrecision?: number | null;
  expression?: string;
  filters?: { key?: string; values?: string[] }[];
}

export type { MetricFields };

export const CODE_PATTERN = /^[A-Za-z0-9_.:-]{1,255}$/;
const RECURRING_TYPES: AggregationTypeName[] = ['SUM_AGG', 'UNIQUE_COUNT_AGG', 'WEIGHTED_SUM_AGG'];
const ROUNDING_FUNCTIONS: RoundingMode[] = ['ROUND', 'CEIL', 'FLOOR'];
const MAX_TEXT = { name: 255, description: 4096, fieldName: 255, expression: 4096 } as const;

function fail(field: string, reason: string): never {
  throw new InvalidArgumentError(`metric.${field}: ${reason}`);
}

function text(value: string | undefined, field: keyof typeof MAX_TEXT): string {
  const v = value ?? '';
  if (v.length > MAX_TEXT[field]) fail(toSnake(field), `at most ${MAX_TEXT[field]} characters`);
  return v;
}

function toSnake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function aggregationType(value: string | undefined): AggregationTypeName {
  const found = AGGREGATION_TYPES.find((t) => t === value);
  if (!found) fail('aggregation_type', `required, one of ${AGGREGATION_TYPES.join(', ')}`);
  return found;
}

function rounding(input: MetricInput): Pick<MetricFields, 'roundingFunction' | 'roundingPrecision'> {
  const fn =
    input.roundingFunction && input.roundingFunction !== 'ROUNDING_FUNCTION_UNSPECIFIED'
      ? input.roundingFunction
      : null;
  if (fn !== null && !ROUNDING_FUNCTIONS.includes(fn as RoundingMode))
    fail('rounding_function', `unknown value ${fn}`);
  const precision = input.roundingPrecision ?? null;
  if (precision !== null && fn === null) fail('rounding_precision', 'only allowed with a rounding_function');
  if (precision !== null && (!Number.isInteger(precision) || precision < -15 || precision > 15)) {
    fail('rounding_precision', 'must be an integer from -15 to 15');
  }
  return { roundingFunction: fn as RoundingMode | null, roundingPrecision: precision };
}

function weightedInterval(input: MetricInput, type: AggregationTypeName): 'SECONDS' | null {
  const interval =
    input.weightedInterval && input.weightedInterval !== 'WEIGHTED_INTERVAL_UNSPECIFIED'
      ? input.weightedInterval
      : null;
  if (type === 'WEIGHTED_SUM_AGG' && interval === null)
    fail('weighted_interval', 'required for WEIGHTED_SUM_AGG');
  if (type !== 'WEIGHTED_SUM_AGG' && interval !== null)
    fail('weighted_interval', 'only allowed for WEIGHTED_SUM_AGG');
  if (interval !== null && interval !== 'SECONDS') fail('weighted_interval', `unknown value ${interval}`);
  return interval;
}

function expression(value: string, type: AggregationTypeName): string {
  if (value.trim() === '') return '';
  if (type === 'COUNT_AGG')
    fail(
      'expression',
      'not allowed for COUNT_AGG (its result is stored in field_name, which COUNT_AGG does not use)',
    );
  try {
    compileExpression(value);
  } catch (error) {
    if (error instanceof ExpressionError) fail('expression', error.message);
    throw error;
  }
  return value;
}

/** Each filter's problems are reported under its own field (`filters[1].values`). */
function filters(input: MetricInput['filters'], problems: Problems): MetricFilter[] {
  const seen = new Set<string>();
  return (input ?? []).map((filter, i) => {
    const key = filter.key ?? '';
    const values = filter.values ?? [];
    problems.check(() => {
      if (key === '') fail(`filters[${i}].key`, 'required');
      if (seen.has(key)) fail(`filters[${i}].key`, `duplicate key "${key}"`);
    }, undefined);
    seen.add(key);
    problems.check(() => {
      if (values.length === 0) fail(`filters[${i}].values`, 'at least one value is required');
    }, undefined);
    return { key, values };
  });
}

/** Collects the first problem of each field, so that one error lists them all (one line each). */
class Problems {
  readonly lines: string[] = [];

  /** Runs one field's check; a broken rule is noted and `fallback` stands in for the value. */
  check<T>(rule: () => T, fallback: T): T {
    try {
      return rule();
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      this.lines.push(error.message);
      return fallback;
    }
  }
}

/**
 * Every rule of SPEC §2.1. Every invalid field is reported in one InvalidArgumentError, one line
 * per field (its first broken rule), in the order of the fields; rules that depend on the
 * aggregation type are checked only once the type is valid.
 */
export function validateMetric(input: MetricInput | null | undefined): MetricFields {
  if (input == null) throw new InvalidArgumentError('metric: required');
  const problems = new Problems();
  const name = problems.check(() => {
    const v = text(input.name, 'name');
    if (v.trim() === '') fail('name', 'required');
    return v;
  }, '');
  const code = problems.check(() => {
    const v = input.code ?? '';
    if (v === '') fail('code', 'required');
    if (!CODE_PATTERN.test(v)) fail('code', 'must match ^[A-Za-z0-9_.:-]{1,255}$');
    return v;
  }, '');
  const description = problems.check(() => text(input.description, 'description'), '');
  const type = problems.check<AggregationTypeName | null>(() => aggregationType(input.aggregationType), null);
  const fieldName =
    type === null
      ? ''
      : problems.check(() => {
          const v = type === 'COUNT_AGG' ? '' : text(input.fieldName, 'fieldName');
          if (type !== 'COUNT_AGG' && v === '') fail('field_name', `required for ${type}`);
          return v;
        }, '');
  const recurring = input.recurring ?? false;
  if (type !== null) {
    problems.check(() => {
      if (recurring && !RECURRING_TYPES.includes(type))
        fail('recurring', `only allowed for ${RECURRING_TYPES.join(', ')}`);
    }, undefined);
  }
  const interval = type === null ? null : problems.check(() => weightedInterval(input, type), null);
  const roundingFields = problems.check(() => rounding(input), {
    roundingFunction: null,
    roundingPrecision: null,
  });
  const expressionText = problems.check(() => text(input.expression, 'expression'), '');
  const checkedExpression = type === null ? '' : problems.check(() => expression(expressionText, type), '');
  const filterList = filters(input.filters, problems);
  if (problems.lines.length > 0) throw new InvalidArgumentError(problems.lines.join('\n'));
  return {
    name,
    code,
    description,
    aggregationType: type!,
    fieldName,
    recurring,
    weightedInterval: interval,
    ...roundingFields,
    expression: checkedExpression,
    filters: filterList,
  };
}
