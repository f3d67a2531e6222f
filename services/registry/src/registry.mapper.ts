import type { MetricDefinition, SubscriptionRecord } from '../../../libs/common/src/domain';
import { AggregationType } from '../../../libs/contract/src/generated/nest/metering/v1/common';
import type { ApiKeyRecord } from './api-key.repository';
import {
  RoundingFunction,
  type ApiKey,
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

/** A stored key as listed: never its secret or hash. */
export function toApiKey(k: ApiKeyRecord): ApiKey {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt ?? undefined,
    lastUsedAt: k.lastUsedAt ?? undefined,
  };
}
