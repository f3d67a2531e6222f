import type { MetricDefinition } from '../../../libs/common/src/domain';
import { InvalidArgumentError } from '../../../libs/common/src/errors';
import { invalidTimestampReason } from '../../../libs/contract/src/timestamp';
import type { UsageQuery } from './queries/usage-query';
import { MAX_WINDOWS, windowsOf, ZoneClock, type TimeWindow, type WindowUnit } from './windows';

/** GetUsageRequest as NestJS decodes it. */
export interface UsageRequestInput {
  externalSubscriptionId?: string;
  code?: string;
  from?: Date | null;
  to?: Date | null;
  filter?: Record<string, { values?: string[] } | null> | null;
  exclude?: ({ values?: Record<string, { values?: string[] } | null> | null } | null)[] | null;
  groupedBy?: string[] | null;
  chargesDurationDays?: number | null;
  /** The WindowSize enum by name (proto-loader `enums: String`). */
  windowSize?: string | number | null;
  timeZone?: string | null;
}

function fail(field: string, reason: string): never {
  throw new InvalidArgumentError(`${field}: ${reason}`);
}

function filterSet(
  map: Record<string, { values?: string[] } | null>,
  field: string,
): { key: string; values: string[] }[] {
  return Object.entries(map).map(([key, list]) => {
    if (key === '') fail(field, 'a key must not be empty');
    const values = list?.values ?? [];
    if (values.length === 0) fail(`${field}.${key}`, 'at least one value is required');
    return { key, values };
  });
}

function groupedBy(keys: string[]): string[] {
  keys.forEach((key, i) => {
    if (key === '') fail(`grouped_by[${i}]`, 'must not be empty');
    if (keys.indexOf(key) !== i) fail(`grouped_by[${i}]`, `duplicate key "${key}"`);
  });
  return keys;
}

export function requireSubscription(id: string | undefined): asserts id is string {
  if (!id) fail('external_subscription_id', 'required');
}

/** GetUsage names a metric; an unknown one is NOT_FOUND, a missing one INVALID_ARGUMENT. */
export function requireCode(code: string | undefined): asserts code is string {
  if (!code) fail('code', 'required');
}

export function requireWindow(
  from: Date | null | undefined,
  to: Date | null | undefined,
): { from: Date; to: Date } {
  if (from == null) fail('from', 'required');
  if (to == null) fail('to', 'required');
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    const invalid = invalidTimestampReason(value);
    if (invalid) fail(field, invalid);
  }
  if (from.getTime() >= to.getTime()) fail('from', 'must be before to (the window is [from, to))');
  return { from, to };
}

/** What a GetUsageRequest asks, apart from its metric. */
export type UsageRequestParts = Omit<
  UsageQuery,
  'organizationId' | 'code' | 'aggregationType' | 'fieldName' | 'recurring'
>;

/**
 * Validates everything in a GetUsageRequest that does not depend on its metric (SPEC §2.3): a
 * request invalid in itself is INVALID_ARGUMENT before any lookup.
 */
export function usageRequestParts(input: UsageRequestInput): UsageRequestParts {
  requireSubscription(input.externalSubscriptionId);
  const window = requireWindow(input.from, input.to);
  const days = input.chargesDurationDays ?? null;
  if (days !== null && days < 1) fail('charges_duration_days', 'must be at least 1');
  return {
    externalSubscriptionId: input.externalSubscriptionId,
    ...window,
    filter: filterSet(input.filter ?? {}, 'filter'),
    exclude: (input.exclude ?? []).map((set, i) => {
      const entries = filterSet(set?.values ?? {}, `exclude[${i}]`);
      if (entries.length === 0) fail(`exclude[${i}]`, 'must have at least one key');
      return entries;
    }),
    groupedBy: groupedBy(input.groupedBy ?? []),
    chargesDurationDays: days,
  };
}

/** The query for a metric and an already validated request. */
export function usageQueryOf(
  organizationId: string,
  metric: MetricDefinition,
  parts: UsageRequestParts,
): UsageQuery {
  return {
    organizationId,
    code: metric.code,
    aggregationType: metric.aggregationType,
    fieldName: metric.fieldName,
    recurring: metric.recurring,
    ...parts,
  };
}

/** Validates a GetUsageRequest (SPEC §2.3 errors) and builds the query for its metric. */
export function toUsageQuery(
  organizationId: string,
  metric: MetricDefinition,
  input: UsageRequestInput,
): UsageQuery {
  return usageQueryOf(organizationId, metric, usageRequestParts(input));
}

const WINDOW_UNITS: readonly string[] = ['HOUR', 'DAY', 'MONTH'] satisfies WindowUnit[];

/**
 * SPEC §2.3 usage over time: the windows of a request whose [from, to) is already valid; empty
 * without a window_size. The time zone is checked whenever it is given.
 */
export function requestWindows(
  input: Pick<UsageRequestInput, 'windowSize' | 'timeZone'>,
  window: { from: Date; to: Date },
): TimeWindow[] {
  const zone = input.timeZone || 'UTC';
  let clock: ZoneClock;
  try {
    clock = new ZoneClock(zone);
  } catch {
    fail('time_zone', `unknown time zone "${zone}" (an IANA name such as "Europe/Paris")`);
  }
  const size = String(input.windowSize ?? 'WINDOW_SIZE_UNSPECIFIED');
  if (size === 'WINDOW_SIZE_UNSPECIFIED') return [];
  if (!WINDOW_UNITS.includes(size)) fail('window_size', `unknown value "${size}"`);
  const windows = windowsOf(window.from, window.to, size as WindowUnit, clock);
  if (windows === null) {
    fail('window_size', `more than ${MAX_WINDOWS} ${size.toLowerCase()} windows in [from, to)`);
  }
  return windows;
}
