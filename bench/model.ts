import type { AggregationTypeName } from '../libs/common/src/domain';
import type { EventInput } from '../libs/contract/src/generated/client/metering/v1/common';
import { ZoneClock } from '../services/aggregation/src/windows';

/** The data the bench loads and queries: one organization, its metrics, many subscriptions. */
export interface BenchMetric {
  code: string;
  type: AggregationTypeName;
  /** Empty for COUNT_AGG. */
  fieldName: string;
  /** Declared filter keys and their values (BillableMetricFilter); none when absent. */
  filters?: { key: string; values: string[] }[];
}

/** One metric per aggregation type; every valued type reads the `value` property. */
export const METRICS: readonly BenchMetric[] = [
  { code: 'bench_count', type: 'COUNT_AGG', fieldName: '' },
  { code: 'bench_sum', type: 'SUM_AGG', fieldName: 'value' },
  { code: 'bench_max', type: 'MAX_AGG', fieldName: 'value' },
  { code: 'bench_unique', type: 'UNIQUE_COUNT_AGG', fieldName: 'value' },
  { code: 'bench_weighted', type: 'WEIGHTED_SUM_AGG', fieldName: 'value' },
  { code: 'bench_latest', type: 'LATEST_AGG', fieldName: 'value' },
];

export const REGIONS = ['eu-west', 'us-east', 'ap-south', 'sa-east'] as const;

/** The subscription GetUsage is measured on (hotEventsPerCode events of each metric). */
export const HOT_SUBSCRIPTION = 'bench_sub_100k';

export function subscriptionId(i: number): string {
  return `bench_sub_${String(i).padStart(4, '0')}`;
}

export function customerOf(externalSubscriptionId: string): string {
  return externalSubscriptionId.replace('bench_sub_', 'bench_cus_');
}

/** [from, to): the current UTC month, the window of every event and of every GetUsage call. */
export interface Window {
  from: Date;
  to: Date;
}

export function currentMonth(now = new Date()): Window {
  return {
    from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/** A decimal text with two places, 0.00 … 999.99, from any integer (the same rule as the preload SQL). */
export function valueText(n: number): string {
  const k = (n * 7919) % 100_000;
  return `${Math.floor(k / 100)}.${String(k % 100).padStart(2, '0')}`;
}

/** What the load generators send: the event `seq` of one client (transaction id `<prefix>-<seq>`). */
export function benchEvent(prefix: string, seq: number, window: Window, subscriptions: number): EventInput {
  const spanMs = window.to.getTime() - window.from.getTime();
  return {
    transactionId: `${prefix}-${seq}`,
    externalSubscriptionId: subscriptionId((seq * 7) % subscriptions),
    externalCustomerId: '',
    code: METRICS[seq % METRICS.length].code,
    timestamp: new Date(window.from.getTime() + ((seq * 7_919_000) % spanMs)),
    properties: { value: valueText(seq), region: REGIONS[Math.floor(seq / METRICS.length) % REGIONS.length] },
    preciseTotalAmountCents: '',
  };
}

export function benchEvents(prefix: string, first: number, count: number, window: Window, subs: number) {
  return Array.from({ length: count }, (_, i) => benchEvent(prefix, first + i, window, subs));
}

/**
 * Issue 12's scenario (bench/scale/): one metric code whose events carry every property a type
 * needs — `value` (numeric), `region` (a declared filter key, REGIONS), `user` (the unique-count
 * value) and, on some, `operation_type` add/remove — so one code serves every aggregation type.
 */
export const SCALE_CODE = 'bench_scale';
export const SCALE_GROUP_KEY = 'region';
export const SCALE_UNIQUE_FIELD = 'user';
export const SCALE_TIME_ZONE = 'Europe/Paris';

/** The scale subscription holding `events` events (`bench_sub_scale_10m`, `…_100k`). */
export function scaleSubscriptionId(events: number): string {
  const label =
    events % 1_000_000 === 0
      ? `${events / 1_000_000}m`
      : events % 1_000 === 0
        ? `${events / 1_000}k`
        : events;
  return `bench_sub_scale_${label}`;
}

/** Metrics of the organization with no events anywhere, so that it has config.scale.organizationMetrics. */
export function idleMetrics(count: number): BenchMetric[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => {
    const { type, fieldName } = METRICS[i % METRICS.length];
    return { code: `bench_idle_${String(i).padStart(3, '0')}`, type, fieldName };
  });
}

/** The scale subscriptions' one registered metric, for the gRPC GetUsage on the largest one. */
export const SCALE_METRIC: BenchMetric = {
  code: SCALE_CODE,
  type: 'SUM_AGG',
  fieldName: 'value',
  filters: [{ key: SCALE_GROUP_KEY, values: [...REGIONS] }],
};

/**
 * The scale window: 30 days of the Paris calendar from the Paris midnight that starts the current
 * UTC month's 1st (whole UTC hours, so the hourly aggregates can answer it; 30 DAY windows in Paris).
 */
export function scaleWindow(now = new Date()): Window {
  const paris = new ZoneClock(SCALE_TIME_ZONE);
  const [y, m] = [now.getUTCFullYear(), now.getUTCMonth()];
  return {
    from: new Date(paris.instantOf(Date.UTC(y, m, 1))),
    to: new Date(paris.instantOf(Date.UTC(y, m, 31))),
  };
}
