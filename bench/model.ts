import type { AggregationTypeName } from '../libs/common/src/domain';
import type { EventInput } from '../libs/contract/src/generated/client/metering/v1/common';

/** The data the bench loads and queries: one organization, six metrics, many subscriptions. */
export interface BenchMetric {
  code: string;
  type: AggregationTypeName;
  /** Empty for COUNT_AGG. */
  fieldName: string;
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
