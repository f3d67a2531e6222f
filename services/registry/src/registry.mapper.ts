import type { MetricDefinition, SubscriptionRecord } from '../../../libs/common/src/domain';
import { AggregationType } from '../../../libs/contract/src/generated/nest/metering/v1/common';
import {
  RoundingFunction,
  WeightedInterval,
  type BillableMetric,
  type Subscription,
} from '../../../libs/contract/src/generated/nest/metering/v1/registry';

/** Domain → wire. Enum values are their names on both sides (stringEnums). */
export function toBillableMetric(m: MetricDefinition): BillableMetric {
  return {
    lagoId: m.id,
    name: m.name,
    code: m.code,
    description: m.description,
    aggregationType: m.aggregationType as AggregationType,
    fieldName: m.fieldName,
    recurring: m.recurring,
    weightedInterval: (m.weightedInterval ??
      WeightedInterval.WEIGHTED_INTERVAL_UNSPECIFIED) as WeightedInterval,
    roundingFunction: (m.roundingFunction ??
      RoundingFunction.ROUNDING_FUNCTION_UNSPECIFIED) as RoundingFunction,
    roundingPrecision: m.roundingPrecision ?? undefined,
    expression: m.expression,
    filters: m.filters,
    createdAt: m.createdAt,
  };
}

export function toSubscription(s: SubscriptionRecord): Subscription {
  return {
    lagoId: s.id,
    externalId: s.externalId,
    externalCustomerId: s.externalCustomerId,
    startedAt: s.startedAt,
    terminatedAt: s.terminatedAt ?? undefined,
  };
}
