import type { AggregationTypeName, MetricDefinition } from '../../libs/common/src/domain';
import type { RoundingMode } from '../../libs/common/src/decimal';
import type { UsageQuery } from '../../services/aggregation/src/queries/usage-query';
import type { UsageQuestion } from '../../services/aggregation/src/usage.service';
import { windowsOf, ZoneClock, type WindowUnit } from '../../services/aggregation/src/windows';

/** Seeded random usage scenarios for the differential test of the fast path (rollup/). */

export type Random = () => number;

/** mulberry32: small, seeded, the same sequence on every machine. */
export function random(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1));

const HOUR = 3_600_000;
/** Every scenario's times are hours around this instant. */
export const BASE = Date.UTC(2026, 0, 5);

/**
 * Property values: numeric texts within and just outside the limits of
 * libs/clickhouse/src/decimals.ts, texts that look numeric but are not, JSON numbers (stored as
 * canonical decimals), and other JSON.
 */
const VALUES: readonly unknown[] = [
  '1',
  '2.5',
  '-3',
  '0',
  '007',
  '1.50',
  '-0.000001',
  '-0',
  '12345678901234567890.12345678901234567890',
  '99999999999999999999999999999999999999',
  '-99999999999999999999999999999999999999.99999999999999999999',
  '1000000000000000000000000000000000000000',
  '0.123456789012345678901',
  '1.5000000000000000000000000',
  'abc',
  '',
  '1e5',
  '1.',
  '.5',
  ' 1',
  42,
  -7.25,
  0.1,
  1e21,
  true,
  null,
];

export interface ScenarioEvent {
  transactionId: string;
  code: string;
  timestamp: Date;
  properties: Record<string, unknown>;
  preciseTotalAmountCents: string | null;
  /** Which insert writes it: 0, or 1 (later: late events among them). */
  insert: 0 | 1;
}

export interface Scenario {
  subscription: string;
  events: ScenarioEvent[];
  /** Metric definitions and windows asked about the same events (a metric edited in between). */
  questions: UsageQuestion[];
}

const TYPES: readonly AggregationTypeName[] = [
  'COUNT_AGG',
  'SUM_AGG',
  'MAX_AGG',
  'LATEST_AGG',
  'WEIGHTED_SUM_AGG',
  'WEIGHTED_SUM_AGG',
  'UNIQUE_COUNT_AGG',
];
const ROUNDING: readonly (RoundingMode | null)[] = [null, null, 'ROUND', 'CEIL', 'FLOOR'];

function time(r: Random, hours: number): Date {
  const hour = BASE + int(r, -hours, hours) * HOUR;
  const ms = pick(r, [0, 0, 1, HOUR - 1, int(r, 0, HOUR - 1), int(r, 0, HOUR - 1)]);
  return new Date(hour + ms);
}

function events(r: Random, index: number): ScenarioEvent[] {
  const n = pick(r, [0, 1, 2, 3, 5, 8, 13, 20, 30]);
  const cut = int(r, 0, n);
  const list: ScenarioEvent[] = [];
  for (let i = 0; i < n; i++) {
    const properties: Record<string, unknown> = {};
    if (r() < 0.85) properties.v = pick(r, VALUES);
    if (r() < 0.6) properties.w = pick(r, VALUES);
    if (r() < 0.7) properties.region = pick(r, ['eu', 'us', '']);
    const previous = list[list.length - 1];
    list.push({
      transactionId: `s${index}-t${i}`,
      code: r() < 0.85 ? 'a' : 'b',
      // Ties on the timestamp: LATEST then picks the event ingested last.
      timestamp: previous && r() < 0.2 ? previous.timestamp : time(r, 36),
      properties,
      preciseTotalAmountCents:
        r() < 0.4 ? pick(r, ['1', '0.5', '-2.25', '1000000.00000000000000000001']) : null,
      insert: i < cut ? 0 : 1,
    });
  }
  return list;
}

function window(r: Random): { from: Date; to: Date } {
  const from = BASE + int(r, -30, 20) * HOUR;
  const to = from + pick(r, [1, 2, 5, 24, 48, 72]) * HOUR;
  // Now and then a window that cuts an hour: the raw path answers it.
  const cut = () => (r() < 0.08 ? int(r, 1, HOUR - 1) : 0);
  return { from: new Date(from + cut()), to: new Date(to + cut()) };
}

export function question(r: Random, organizationId: string, subscription: string): UsageQuestion {
  const aggregationType = pick(r, TYPES);
  const fieldName = aggregationType === 'COUNT_AGG' ? '' : pick(r, ['v', 'v', 'w', 'missing']);
  const roundingFunction = pick(r, ROUNDING);
  const metric: MetricDefinition = {
    id: 'm',
    organizationId,
    code: 'a',
    name: 'a',
    description: '',
    aggregationType,
    fieldName,
    recurring: r() < 0.4,
    weightedInterval: aggregationType === 'WEIGHTED_SUM_AGG' ? 'SECONDS' : null,
    roundingFunction,
    roundingPrecision: roundingFunction ? int(r, -2, 6) : null,
    expression: '',
    filters: [],
    createdAt: new Date(0),
  };
  const shape = r();
  const query: UsageQuery = {
    organizationId,
    externalSubscriptionId: subscription,
    code: metric.code,
    aggregationType,
    fieldName,
    recurring: metric.recurring,
    ...window(r),
    filter: shape < 0.05 ? [{ key: 'region', values: ['eu'] }] : [],
    exclude: shape >= 0.05 && shape < 0.1 ? [[{ key: 'region', values: ['us'] }]] : [],
    groupedBy: shape >= 0.1 && shape < 0.15 ? ['region'] : [],
    chargesDurationDays: r() < 0.3 ? int(r, 1, 40) : null,
  };
  return { metric, query };
}

export function scenarios(seed: number, count: number, organizationId: string): Scenario[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const subscription = `s${i}`;
    return {
      subscription,
      events: events(r, i),
      questions: Array.from({ length: 3 }, () => question(r, organizationId, subscription)),
    };
  });
}

/**
 * Days whose neighbourhood the windowed scenarios use: an ordinary week, the daylight-saving
 * changes of Europe/Paris and America/New_York (spring and autumn), and a month's end.
 */
const WINDOWED_BASES: readonly number[] = [
  BASE,
  Date.UTC(2026, 2, 29, 1),
  Date.UTC(2026, 9, 25, 1),
  Date.UTC(2026, 2, 8, 7),
  Date.UTC(2026, 10, 1, 6),
  Date.UTC(2026, 0, 31, 23),
];
const ZONES: readonly string[] = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];
const UNITS: readonly WindowUnit[] = ['HOUR', 'DAY', 'DAY', 'MONTH'];
const MINUTE = 60_000;

/**
 * A windowed question about a scenario's events (SPEC §2.3): HOUR, DAY or MONTH windows in one of
 * ZONES over [from, to) around `base`, the bounds now and then inside an hour (a :30 like Kolkata's
 * hours, or any millisecond).
 */
export function windowedQuestion(
  r: Random,
  organizationId: string,
  subscription: string,
  base: number,
): UsageQuestion {
  const q = question(r, organizationId, subscription);
  const bound = (hours: number) => {
    const hour = base + int(r, -hours, hours) * HOUR;
    return hour + pick(r, [0, 0, 0, 30 * MINUTE, int(r, 1, HOUR - 1)]);
  };
  const unit = pick(r, UNITS);
  const from = bound(40);
  const to = Math.max(from + 1, from + int(r, 1, unit === 'HOUR' ? 14 : 80) * HOUR + bound(0) - base);
  const windows = windowsOf(new Date(from), new Date(to), unit, new ZoneClock(pick(r, ZONES)))!;
  return { ...q, query: { ...q.query, from: new Date(from), to: new Date(to) }, windows };
}

/** Scenarios whose questions are windowed, their events around one of WINDOWED_BASES. */
export function windowedScenarios(seed: number, count: number, organizationId: string): Scenario[] {
  const r = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const subscription = `w${i}`;
    const base = pick(r, WINDOWED_BASES);
    const shifted = events(r, i).map((e) => ({
      ...e,
      transactionId: `w${e.transactionId}`,
      timestamp: new Date(e.timestamp.getTime() - BASE + base),
    }));
    return {
      subscription,
      events: shifted,
      questions: Array.from({ length: 3 }, () => windowedQuestion(r, organizationId, subscription, base)),
    };
  });
}

/** The three metric definitions a code can have for the metric-aware aggregates (rollup/dims-*). */
export type DimsClass = 'count' | 'value' | 'unique';
const CLASS_TYPES: Record<DimsClass, readonly AggregationTypeName[]> = {
  count: ['COUNT_AGG'],
  value: ['SUM_AGG', 'MAX_AGG', 'LATEST_AGG', 'WEIGHTED_SUM_AGG'],
  unique: ['UNIQUE_COUNT_AGG'],
};
const RECURRING: ReadonlySet<AggregationTypeName> = new Set([
  'SUM_AGG',
  'UNIQUE_COUNT_AGG',
  'WEIGHTED_SUM_AGG',
]);
/** Texts the scenario events carry for `region` and `w`, and one they never carry. */
const DIM_VALUES = ['eu', 'us', '', '1', '2.5', 'abc', 'none'];

/**
 * A grouped, filtered or excluding question (or, for unique counts, a plain one) about metric code
 * `a` of `organizationId`, whose metric declares filters on `region` and `w` (its dimensions).
 */
export function dimsQuestion(
  r: Random,
  organizationId: string,
  subscription: string,
  kind: DimsClass,
): UsageQuestion {
  const aggregationType = pick(r, CLASS_TYPES[kind]);
  const fieldName = kind === 'count' ? '' : 'v';
  const roundingFunction = pick(r, ROUNDING);
  const recurring = RECURRING.has(aggregationType) && r() < 0.4;
  const metric: MetricDefinition = {
    id: 'm',
    organizationId,
    code: 'a',
    name: 'a',
    description: '',
    aggregationType,
    fieldName,
    recurring,
    weightedInterval: aggregationType === 'WEIGHTED_SUM_AGG' ? 'SECONDS' : null,
    roundingFunction,
    roundingPrecision: roundingFunction ? int(r, -2, 6) : null,
    expression: '',
    filters: [
      { key: 'w', values: ['1'] },
      { key: 'region', values: ['eu', 'us'] },
    ],
    createdAt: new Date(0),
  };
  const keys = ['region', 'w'];
  const values = () => Array.from({ length: int(r, 1, 3) }, () => pick(r, DIM_VALUES));
  const groupedBy = r() < 0.6 ? keys.filter(() => r() < 0.6) : [];
  const filter = r() < 0.4 ? keys.filter(() => r() < 0.5).map((key) => ({ key, values: values() })) : [];
  const exclude =
    r() < 0.3
      ? Array.from({ length: int(r, 1, 2) }, () =>
          keys.filter(() => r() < 0.6).map((key) => ({ key, values: values() })),
        )
      : [];
  const query: UsageQuery = {
    organizationId,
    externalSubscriptionId: subscription,
    code: metric.code,
    aggregationType,
    fieldName,
    recurring,
    ...window(r),
    filter,
    exclude,
    groupedBy,
    chargesDurationDays: r() < 0.3 ? int(r, 1, 40) : null,
  };
  return { metric, query };
}
