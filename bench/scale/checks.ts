import { AGGREGATION_TYPES, type AggregationTypeName } from '../../libs/common/src/domain';
import type { Check } from '../checks';
import { TARGETS } from '../config';
import type { BenchResults } from '../results';
import type { Latency } from '../stats';
import type { Shape } from './questions';
import type { ScaleFigures, ScaleQuestionFigures } from './scenario';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** 10,000,000 → 10M, 100,000 → 100K. */
export function eventsLabel(events: number): string {
  if (events >= 1_000_000 && events % 100_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 100 === 0) return `${events / 1_000}K`;
  return String(events);
}

function question(s: ScaleFigures, events: number, type: AggregationTypeName, shape: Shape) {
  return s.questions.find((q) => q.events === events && q.type === type && q.shape === shape);
}

/** The raw path's latency for a question: its own baseline, or the product's when that read the events. */
const rawLatency = (q: ScaleQuestionFigures): Latency => q.raw?.latencyMs ?? q.latencyMs;

/** The raw path's p50, or `=` when the product's own call read the events (its p50 is the raw figure). */
const rawCell = (q: ScaleQuestionFigures) => (q.raw ? String(q.raw.latencyMs.p50) : '=');

const differs = (q: ScaleQuestionFigures) => q.raw !== undefined && !q.raw.same;

/**
 * Per type on the largest subscription (10M events in the full run): ungrouped, grouped by the
 * declared `region`, and per Paris day. COUNT…WEIGHTED_SUM against the latency targets,
 * UNIQUE_COUNT against a bare `uniqExact` of the same values; the raw path alongside.
 */
function typeAtScale(s: ScaleFigures, events: number, type: AggregationTypeName): Check | null {
  const [u, g, w] = (['ungrouped', 'grouped', 'windowed'] as const).map((shape) =>
    question(s, events, type, shape),
  );
  if (!u || !g || !w) return null;
  const all = [u, g, w];
  const p50s = all.map((q) => q.latencyMs.p50).join(' / ');
  const p99s = all.map((q) => q.latencyMs.p99).join(' / ');
  const paths = all.map((q) => q.path).join('/');
  const notes = all
    .filter(differs)
    .map((q) => `${q.shape}: the product and the raw path answered differently`);
  const windowedOk = w.latencyMs.p50 <= TARGETS.scaleWindowedP50Ms;
  const base = {
    name: `${eventsLabel(events)} events: ${type} (whole / by region / ${w.windows} Paris days)`,
    product: `p50 ${p50s} ms, p99 ${p99s} ms [${paths}]`,
    notes,
  };
  if (type === 'UNIQUE_COUNT_AGG') {
    const bare = [false, true].map((grouped) =>
      s.uniqExact.find((x) => x.events === events && x.grouped === grouped)!,
    );
    const [ru, rg] = [
      ratio(u.latencyMs.p50, bare[0].latencyMs.p50),
      ratio(g.latencyMs.p50, bare[1].latencyMs.p50),
    ];
    const within = (q: number | null) => (q ?? Infinity) <= TARGETS.uniqueVsUniqExact;
    return {
      ...base,
      baseline: `bare uniqExact p50 ${bare[0].latencyMs.p50} / ${bare[1].latencyMs.p50} ms (whole / by region)`,
      ratio: ru,
      target: `p50 ≤ ${TARGETS.uniqueVsUniqExact}× uniqExact (whole ${ru ?? '—'}×, by region ${rg ?? '—'}×), Paris days p50 ≤ ${TARGETS.scaleWindowedP50Ms} ms`,
      pass: within(ru) && within(rg) && windowedOk && notes.length === 0,
    };
  }
  const latencyOk = [u, g].every(
    (q) => q.latencyMs.p50 <= TARGETS.rollupUsageP50Ms && q.latencyMs.p99 <= TARGETS.rollupUsageP99Ms,
  );
  return {
    ...base,
    baseline: `raw path p50 ${all.map(rawCell).join(' / ')} ms (=: the product read the events itself)`,
    ratio: ratio(u.latencyMs.p50, rawLatency(u).p50),
    target: `p50 ≤ ${TARGETS.rollupUsageP50Ms} ms, p99 ≤ ${TARGETS.rollupUsageP99Ms} ms (whole, by region); Paris days p50 ≤ ${TARGETS.scaleWindowedP50Ms} ms`,
    pass: latencyOk && windowedOk && notes.length === 0,
  };
}

/** The scenario's data: table size, and answers that must hold whatever the timings. */
function scaleData(s: ScaleFigures, sizes: number[]): Check {
  const largest = sizes.at(-1)!;
  const rows = sizes.reduce((a, b) => a + b, 0);
  const notes: string[] = [];
  for (const q of s.questions.filter((x) => x.type === 'COUNT_AGG' && x.shape === 'ungrouped')) {
    if (q.value !== String(q.events)) notes.push(`COUNT of ${q.subscription} is ${q.value}, not ${q.events}`);
  }
  const compared = s.questions.filter((q) => q.raw !== undefined);
  const wrong = compared.filter((q) => !q.raw!.same);
  for (const q of wrong) notes.push(`${eventsLabel(q.events)} ${q.type} ${q.shape}: fast ≠ raw path`);
  for (const a of s.activations.filter((x) => x.outcome === 'failed')) {
    notes.push(`activation of ${a.types.join('/')} failed: its grouped questions read the events`);
  }
  const loaded = s.questions.length ? s.questions.reduce((m, q) => Math.max(m, q.events), 0) : 0;
  const rate = s.loadSeconds > 0 ? ` (${n(rows / s.loadSeconds)} rows/s)` : '';
  return {
    name: `scale scenario: ${eventsLabel(largest)}-event subscription in the events table`,
    product: `${n(s.tableRows)} rows in events; ${n(rows)} scale rows loaded in ${s.loadSeconds} s${rate}; ${compared.length} questions answered by both paths`,
    baseline: `${compared.length - wrong.length} of ${compared.length} identical to the raw path`,
    ratio: null,
    target: `≥ ${n(TARGETS.scaleTableRows)} rows, COUNT = events, same answers`,
    pass: s.tableRows >= TARGETS.scaleTableRows && notes.length === 0 && loaded === largest,
    notes,
  };
}

/** GetSubscriptionUsage at the organization's 100 metrics, and GetUsage through gRPC on the largest subscription. */
function grpcChecks(r: BenchResults, s: ScaleFigures, largest: number): Check[] {
  const g = r.product.grpcUsage;
  const su = g.subscriptionUsage;
  const errors = (f: { errors: number; errorSamples: string[] }) =>
    f.errors > 0 ? [`${f.errors} errors, e.g. ${f.errorSamples[0]}`] : [];
  const inProcess = question(s, largest, 'SUM_AGG', 'ungrouped');
  const scale = g.getUsageScale;
  return [
    {
      name: `GetSubscriptionUsage, ${su.metrics} metrics (${su.withEvents} with events)`,
      product: `p50 ${su.latencyMs.p50} ms, p99 ${su.latencyMs.p99} ms`,
      baseline: `one GetUsage (COUNT, 100K events), same loop: p50 ${g.getUsageHot.latencyMs.p50} ms, p99 ${g.getUsageHot.latencyMs.p99} ms`,
      ratio: ratio(su.latencyMs.p50, g.getUsageHot.latencyMs.p50),
      target: `${r.config.scale.organizationMetrics} metrics answered, no errors (cost reported)`,
      pass:
        su.errors === 0 && g.getUsageHot.errors === 0 && su.metrics === r.config.scale.organizationMetrics,
      notes: [...errors(su), ...errors(g.getUsageHot)],
    },
    {
      name: `GetUsage through gRPC, ${eventsLabel(largest)} events (SUM, whole window)`,
      product: `p50 ${scale.latencyMs.p50} ms, p99 ${scale.latencyMs.p99} ms`,
      baseline: inProcess
        ? `UsageService in-process p50 ${inProcess.latencyMs.p50} ms [${inProcess.path}]`
        : 'in-process: not measured',
      ratio: inProcess ? ratio(scale.latencyMs.p50, inProcess.latencyMs.p50) : null,
      target: `p50 ≤ ${TARGETS.rollupUsageP50Ms} ms, p99 ≤ ${TARGETS.rollupUsageP99Ms} ms, same answer`,
      pass:
        scale.errors === 0 &&
        scale.latencyMs.p50 <= TARGETS.rollupUsageP50Ms &&
        scale.latencyMs.p99 <= TARGETS.rollupUsageP99Ms &&
        (!inProcess || inProcess.value === scale.value),
      notes: [
        ...errors(scale),
        ...(inProcess && inProcess.value !== scale.value
          ? [`gRPC answered ${scale.value}, in-process ${inProcess.value}`]
          : []),
      ],
    },
  ];
}

/** Issue 12's scenario (bench/scale/): every check of it, for checks.ts. */
export function scaleChecks(r: BenchResults): Check[] {
  const s = r.raw.scale;
  const largest = r.config.scale.sizes.at(-1)!;
  const perType = AGGREGATION_TYPES.map((type) => typeAtScale(s, largest, type)).filter(
    (c): c is Check => c !== null,
  );
  return [scaleData(s, r.config.scale.sizes), ...perType, ...grpcChecks(r, s, largest)];
}

/**
 * The growth table: p50 per type and shape at every size, with the path that answered and the raw
 * path's p50 where it was measured apart.
 */
export function scaleLadder(s: ScaleFigures): string[][] {
  const sizes = [...new Set(s.questions.map((q) => q.events))].sort((a, b) => a - b);
  const header = ['type', 'question', ...sizes.map((e) => `${eventsLabel(e)} events: p50 (path; raw path)`)];
  const rows = AGGREGATION_TYPES.flatMap((type) =>
    (['ungrouped', 'grouped', 'windowed'] as const).map((shape) => [
      type,
      shape === 'grouped' ? 'by region' : shape === 'windowed' ? 'Paris days' : 'whole window',
      ...sizes.map((events) => {
        const q = question(s, events, type, shape);
        if (!q) return '—';
        const raw = q.raw ? `; raw ${q.raw.latencyMs.p50} ms` : '';
        return `${q.latencyMs.p50} ms (${q.path}${raw})`;
      }),
    ]),
  );
  const uniq = [false, true].map((grouped) => [
    'bare uniqExact',
    grouped ? 'by region' : 'whole window',
    ...sizes.map((events) => {
      const u = s.uniqExact.find((x) => x.events === events && x.grouped === grouped);
      return u ? `${u.latencyMs.p50} ms` : '—';
    }),
  ]);
  return [header, ...rows.filter((row) => row.slice(2).some((c) => c !== '—')), ...uniq];
}
