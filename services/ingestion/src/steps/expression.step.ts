import type { MetricDefinition } from '../../../../libs/common/src/domain';
import { isStorableDecimal } from '../../../../libs/clickhouse/src/decimals';
import {
  compileExpression,
  ExpressionError,
  formatExpressionValue,
  type CompiledExpression,
} from '../../../../libs/expression/src';
import { propertyText } from '../property-texts';

export class ExpressionRejection extends Error {}

const VALUE_TYPES: MetricDefinition['aggregationType'][] = [
  'SUM_AGG',
  'MAX_AGG',
  'LATEST_AGG',
  'WEIGHTED_SUM_AGG',
];

/**
 * Step 4: SPEC §2.2 rule 6. The metric's expression is evaluated on the event and its result
 * replaces properties[field_name]. Numbers are written as decimal strings, so they stay exact.
 */
export class ExpressionStep {
  private readonly compiled = new Map<string, CompiledExpression>();

  apply(
    metric: MetricDefinition | undefined,
    event: { code: string; timestamp: Date; properties: Record<string, unknown> },
  ): Record<string, unknown> {
    if (!metric?.expression || !metric.fieldName) return event.properties;
    try {
      const value = this.compile(metric.expression).evaluate({
        code: event.code,
        timestamp: Math.floor(event.timestamp.getTime() / 1000),
        properties: event.properties,
      });
      return { ...event.properties, [metric.fieldName]: formatExpressionValue(value) };
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new ExpressionRejection(`expression_evaluation_failed: ${error.message}`);
      throw error;
    }
  }

  private compile(source: string): CompiledExpression {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      if (this.compiled.size > 10_000) this.compiled.clear();
      compiled = compileExpression(source);
      this.compiled.set(source, compiled);
    }
    return compiled;
  }
}

/** SPEC §2.2 rules 5 and 7: accepted and stored all the same, with a warning. */
export function aggregationWarnings(
  metric: MetricDefinition | undefined,
  properties: Record<string, unknown>,
): string[] {
  if (!metric) return ['unknown_metric_code'];
  const text = metric.fieldName ? propertyText(properties[metric.fieldName]) : undefined;
  if (VALUE_TYPES.includes(metric.aggregationType) && (text === undefined || !isStorableDecimal(text))) {
    return ['invalid_aggregation_property'];
  }
  if (metric.aggregationType === 'UNIQUE_COUNT_AGG' && !text) return ['invalid_aggregation_property'];
  return [];
}
