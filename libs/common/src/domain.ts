import type { RoundingMode } from './decimal';

/** Domain shapes shared by the services, free of gRPC and SQL (the contract's enums by name). */
export const AGGREGATION_TYPES = [
  'COUNT_AGG',
  'SUM_AGG',
  'MAX_AGG',
  'UNIQUE_COUNT_AGG',
  'WEIGHTED_SUM_AGG',
  'LATEST_AGG',
] as const;
export type AggregationTypeName = (typeof AGGREGATION_TYPES)[number];

export interface MetricFilter {
  key: string;
  values: string[];
}

/** The mutable fields of a billable metric (SPEC §2.1), as validated by the registry. */
export interface MetricFields {
  name: string;
  code: string;
  description: string;
  aggregationType: AggregationTypeName;
  /** Empty for COUNT_AGG. */
  fieldName: string;
  recurring: boolean;
  weightedInterval: 'SECONDS' | null;
  roundingFunction: RoundingMode | null;
  roundingPrecision: number | null;
  /** Empty: none. */
  expression: string;
  filters: MetricFilter[];
}

export interface MetricDefinition extends MetricFields {
  id: string;
  organizationId: string;
  createdAt: Date;
}

export interface SubscriptionRecord {
  id: string;
  externalId: string;
  externalCustomerId: string;
  startedAt: Date;
  terminatedAt: Date | null;
}

/** Active at `at`: started at or before it, and not terminated at or before it. */
export function isActiveAt(subscription: SubscriptionRecord, at: Date): boolean {
  const t = at.getTime();
  return (
    subscription.startedAt.getTime() <= t &&
    (subscription.terminatedAt === null || subscription.terminatedAt.getTime() > t)
  );
}
