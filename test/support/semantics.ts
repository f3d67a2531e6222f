import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import type {
  GetUsageRequest,
  Usage,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import type { BillableMetricInput } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api } from './api';
import { decimal as canonical } from './conformance';
import type { TestStack } from './test-stack';

/** Table rows for SPEC §3 against the real engine: events in → number out. */
export interface SemanticsCase {
  name: string;
  metric: Partial<BillableMetricInput>;
  /** Ingested one by one, in this order; transaction ids are t1, t2… unless given. */
  events: Partial<EventInput>[];
  /** Default: the window WINDOW with no filter, exclude or grouping. */
  query?: Partial<GetUsageRequest>;
  expect: {
    value: string;
    eventsCount?: string;
    totalAggregatedUnits?: string;
    preciseTotalAmountCents?: string;
    /** Unordered; each `[grouped_by, null_keys, value, events_count]`. */
    groups?: [Record<string, string>, string[], string, string][];
  };
}

export const CODE = 'm';
export const SUBSCRIPTION = 'sub';
/** Ten days: [2026-01-01, 2026-01-11). */
export const WINDOW = {
  from: new Date('2026-01-01T00:00:00.000Z'),
  to: new Date('2026-01-11T00:00:00.000Z'),
};

/** An event of the table: `ev('2026-01-05', { v: '1' })`; the time is UTC, ISO, date or date-time. */
export function ev(time: string, properties: Record<string, unknown> = {}, extra: Partial<EventInput> = {}) {
  const iso = time.length === 10 ? `${time}T00:00:00.000Z` : time.endsWith('Z') ? time : `${time}Z`;
  return { timestamp: new Date(iso), properties, ...extra };
}

/** `n` events of the same time and properties. */
export const times = (n: number, event: Partial<EventInput>) => Array.from({ length: n }, () => event);

export const metric = (aggregationType: AggregationType, more: Partial<BillableMetricInput> = {}) => ({
  aggregationType,
  fieldName: aggregationType === AggregationType.COUNT_AGG ? '' : 'v',
  weightedInterval: undefined,
  ...more,
});

/** filter / exclude in request shape from plain lists. */
export const filter = (map: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(map).map(([k, values]) => [k, { values }]));
export const exclude = (...sets: Record<string, string[]>[]) => sets.map((set) => ({ values: filter(set) }));

/** The expected shape of a Usage, so both sides go through one normalisation. */
function asExpected(usage: Usage): Required<SemanticsCase['expect']> {
  return {
    value: usage.value,
    eventsCount: usage.eventsCount,
    totalAggregatedUnits: usage.totalAggregatedUnits,
    preciseTotalAmountCents: usage.preciseTotalAmountCents,
    groups: usage.groups.map((g) => [g.groupedBy, g.nullKeys, g.value, g.eventsCount]),
  };
}

/**
 * Groups unordered; only what the row asserts. The product's numbers are taken as printed, the
 * table's in canonical form (SPEC §3): so a non-canonical answer ("1.50", "-0") fails.
 */
function normalised(
  e: SemanticsCase['expect'],
  asserted: SemanticsCase['expect'],
  decimal: (text: string) => string,
): Record<string, unknown> {
  const groups = (e.groups ?? []).map(([by, nulls, value, count]) =>
    JSON.stringify([Object.entries(by).sort(), [...nulls].sort(), decimal(value), count]),
  );
  return {
    value: decimal(e.value),
    ...(asserted.eventsCount === undefined ? {} : { eventsCount: e.eventsCount }),
    ...(asserted.totalAggregatedUnits === undefined ? {} : { units: decimal(e.totalAggregatedUnits ?? '') }),
    ...(asserted.preciseTotalAmountCents === undefined
      ? {}
      : { amount: decimal(e.preciseTotalAmountCents ?? '') }),
    ...(asserted.groups === undefined ? {} : { groups: groups.sort() }),
  };
}

/** A case's organization, metric and events (ingested one by one, in order): its api calls. */
export async function setUpSemanticsCase(
  t: TestStack,
  c: SemanticsCase,
): Promise<ReturnType<typeof api> & { apiKey: string }> {
  const { apiKey } = await t.newOrganization(c.name);
  const call = { ...api(t, apiKey), apiKey };
  await call.createMetric({ code: CODE, ...c.metric });
  for (const [i, event] of c.events.entries()) {
    await call.ingest({
      transactionId: `t${i + 1}`,
      externalSubscriptionId: SUBSCRIPTION,
      code: CODE,
      ...event,
    });
  }
  return call;
}

/** One case in a fresh organization: create the metric, ingest in order, compare GetUsage. */
export async function runSemanticsCase(t: TestStack, c: SemanticsCase): Promise<void> {
  const call = await setUpSemanticsCase(t, c);
  const usage = await call.usage({ externalSubscriptionId: SUBSCRIPTION, code: CODE, ...WINDOW, ...c.query });
  const printed = (text: string) => text;
  expect(normalised(asExpected(usage), c.expect, printed)).toEqual(normalised(c.expect, c.expect, canonical));
}
