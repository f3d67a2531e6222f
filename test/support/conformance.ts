import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from '../../libs/common/src/decimal';
import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import type {
  GetUsageRequest,
  GroupUsage,
  Usage,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import {
  RoundingFunction,
  WeightedInterval,
  type BillableMetricInput,
} from '../../libs/contract/src/generated/client/metering/v1/registry';

/** The conformance cases, kept in the repository (test/conformance, README there). */
export const CONFORMANCE_DIR = path.resolve(__dirname, '../conformance');

export function loadCases<T>(file: string): T[] {
  return JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, file), 'utf8')) as T[];
}

type Json = Record<string, unknown>;

export interface ExpectedGroup {
  grouped_by: Record<string, string>;
  null_keys: string[];
  value: string;
  events_count?: string;
}

export interface UsageCase {
  id: string;
  metric: {
    name: string;
    code: string;
    description?: string | null;
    aggregation_type: keyof typeof AggregationType;
    field_name: string | null;
    recurring: boolean | null;
    weighted_interval: keyof typeof WeightedInterval | null;
    rounding_function: keyof typeof RoundingFunction | null;
    rounding_precision: number | null;
    expression: string | null;
    filters: { key: string; values: string[] }[] | null;
  };
  events: {
    transaction_id: string;
    external_subscription_id?: string | null;
    external_customer_id?: string | null;
    code: string;
    timestamp?: string | null;
    properties?: Json | null;
    precise_total_amount_cents?: string | null;
  }[];
  query: {
    external_subscription_id: string;
    from: string;
    to: string;
    filter?: Record<string, string[]> | null;
    exclude?: Record<string, string[]>[] | null;
    grouped_by?: string[] | null;
    charges_duration_days?: number | null;
  };
  expect: {
    value?: string;
    events_count?: string;
    groups?: ExpectedGroup[];
    total_aggregated_units?: string;
    round_decimals?: number;
  };
  about: string;
}

/** null and "" mean "unset" (conformance README); enums travel by name. */
export function toMetricInput(m: UsageCase['metric']): Partial<BillableMetricInput> {
  return {
    name: m.name,
    code: m.code,
    description: m.description ?? '',
    aggregationType: AggregationType[m.aggregation_type],
    fieldName: m.field_name ?? '',
    recurring: m.recurring ?? false,
    weightedInterval: m.weighted_interval ? WeightedInterval[m.weighted_interval] : undefined,
    roundingFunction: m.rounding_function ? RoundingFunction[m.rounding_function] : undefined,
    roundingPrecision: m.rounding_precision ?? undefined,
    expression: m.expression ?? '',
    filters: m.filters ?? [],
  };
}

export function toEventInput(e: UsageCase['events'][number]): Partial<EventInput> {
  return {
    transactionId: e.transaction_id,
    externalSubscriptionId: e.external_subscription_id ?? '',
    externalCustomerId: e.external_customer_id ?? '',
    code: e.code,
    timestamp: e.timestamp ? new Date(e.timestamp) : undefined,
    properties: e.properties ?? {},
    preciseTotalAmountCents: e.precise_total_amount_cents ?? '',
  };
}

const values = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([key, list]) => [key, { values: list }]));

export function toUsageRequest(code: string, q: UsageCase['query']): Partial<GetUsageRequest> {
  return {
    externalSubscriptionId: q.external_subscription_id,
    code,
    from: new Date(q.from),
    to: new Date(q.to),
    filter: values(q.filter ?? {}),
    exclude: (q.exclude ?? []).map((set) => ({ values: values(set) })),
    groupedBy: q.grouped_by ?? [],
    chargesDurationDays: q.charges_duration_days ?? undefined,
  };
}

/** A decimal's canonical text, rounded half away from zero to `decimals` places when given. */
export function decimal(text: string, decimals?: number): string {
  const d = new Decimal(text);
  const rounded = decimals === undefined ? d : d.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  return rounded.isZero() ? '0' : rounded.toFixed();
}

const groupKey = (g: { grouped_by: Record<string, string>; null_keys: string[] }) =>
  JSON.stringify([Object.entries(g.grouped_by).sort(), [...g.null_keys].sort()]);

function comparableGroups(groups: ExpectedGroup[], decimals?: number, withCount = true) {
  return groups
    .map((g) => ({
      key: groupKey(g),
      value: decimal(g.value, decimals),
      ...(withCount && g.events_count !== undefined ? { events_count: g.events_count } : {}),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Both sides of a case's expectation, in comparable form (decimals compared as decimals). */
export function comparable(usage: Usage, expected: UsageCase['expect']): { actual: Json; expected: Json } {
  const d = expected.round_decimals;
  const actualGroups: ExpectedGroup[] = usage.groups.map((g: GroupUsage) => ({
    grouped_by: g.groupedBy,
    null_keys: g.nullKeys,
    value: g.value,
    events_count: g.eventsCount,
  }));
  const want: Json = {};
  const got: Json = {};
  if (expected.value !== undefined)
    [want.value, got.value] = [decimal(expected.value, d), decimal(usage.value, d)];
  if (expected.events_count !== undefined)
    [want.events_count, got.events_count] = [expected.events_count, usage.eventsCount];
  if (expected.total_aggregated_units !== undefined) {
    want.total_aggregated_units = decimal(expected.total_aggregated_units, d);
    got.total_aggregated_units = decimal(usage.totalAggregatedUnits, d);
  }
  if (expected.groups !== undefined) {
    want.groups = comparableGroups(expected.groups, d);
    const counted = expected.groups.some((g) => g.events_count !== undefined);
    got.groups = comparableGroups(actualGroups, d, counted);
  }
  return { actual: got, expected: want };
}
