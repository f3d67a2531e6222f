import { AGGREGATION_TYPES, type AggregationTypeName } from '../../libs/common/src/domain';
import { definitionOf, type RollupDefinition } from '../../services/aggregation/src/rollup/dims-definition';
import type { UsageQuestion } from '../../services/aggregation/src/usage.service';
import type { ScaleConfig } from '../config';
import { pathOf, type QueryRecorder } from './measure';
import { BENCH_ROLLUP_TIMINGS, scaleDefinition, type ProductUsage } from './questions';

/**
 * The types asked of the scale code that share one rollup definition (dims-definition.ts): COUNT
 * (field ''), the numeric types (field `value`), UNIQUE_COUNT (field `user`, per value). Activating
 * one definition retires the others of the code (in production one code is one metric), so the
 * scenario makes each group's definition ready, asks that group's questions, then the next group.
 */
export interface TypeGroup {
  types: AggregationTypeName[];
  definition: RollupDefinition;
}

export function typeGroups(organizationId: string): TypeGroup[] {
  const groups = new Map<string, TypeGroup>();
  for (const type of AGGREGATION_TYPES) {
    const definition = definitionOf(scaleDefinition(organizationId, type));
    const group = groups.get(definition.key) ?? { types: [], definition };
    group.types.push(type);
    groups.set(definition.key, group);
  }
  return [...groups.values()];
}

/** One group's activation, as `raw.scale.activations[]` holds it. */
export interface ActivationFigures {
  types: AggregationTypeName[];
  definition: { fieldName: string; dimensions: string[]; perValue: boolean };
  /** Events of the code the backfill reads: every scale subscription's. */
  codeEvents: number;
  /** Estimated backfill from config.scale.backfillSecondsPerMillion, against activationBudgetSeconds. */
  estimateSeconds: number;
  /**
   * `ready`: the call after `settled()` read no events; `failed`: it still read them (after
   * `attempts` tries); `skipped`: the estimate is over budget — the group's questions are asked of
   * the product as it answers before the definition is ready (no activation started).
   */
  outcome: 'ready' | 'failed' | 'skipped';
  attempts: number;
  /** From the question that started it to `settled()` (margin and settle included). */
  seconds: number | null;
  /** The backfill (one INSERT … SELECT of every event of the code) and the ready mark. */
  backfillSeconds: number | null;
  /** The activation's duration as DimsRollups measured it (its log / metric). */
  productSeconds: number | null;
  error?: string;
}

const round1 = (ms: number) => Math.round(ms / 100) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `dims.settled()`, keeping the process alive meanwhile: the activation's waits do not (its timers
 * are unref'd so that shutdown never waits for one), and nothing else here holds the event loop.
 */
export async function settled(product: ProductUsage): Promise<void> {
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await product.dims.settled();
  } finally {
    clearInterval(keepAlive);
  }
}

/** Estimated backfill seconds of a definition over `codeEvents` events. */
export function backfillEstimate(
  definition: RollupDefinition,
  codeEvents: number,
  config: ScaleConfig,
): number {
  const rate = config.backfillSecondsPerMillion[definition.perValue ? 'perValue' : 'grouped'];
  return Math.round((codeEvents / 1_000_000) * rate);
}

/**
 * Makes the group's definition ready through the product itself: `question` (one the definition
 * answers) starts the activation and is answered raw; `settled()` awaits it; the same question again
 * must read no events. A failed activation is tried once more after the product's retry delay.
 */
export async function activateGroup(
  product: ProductUsage,
  recorder: QueryRecorder,
  group: TypeGroup,
  question: UsageQuestion,
  codeEvents: number,
  config: ScaleConfig,
): Promise<ActivationFigures> {
  const { fieldName, dimensions, perValue } = group.definition;
  const estimateSeconds = backfillEstimate(group.definition, codeEvents, config);
  const base = {
    types: group.types,
    definition: { fieldName, dimensions, perValue },
    codeEvents,
    estimateSeconds,
  };
  const none = { seconds: null, backfillSeconds: null, productSeconds: null };
  if (estimateSeconds > config.activationBudgetSeconds)
    return { ...base, outcome: 'skipped', attempts: 0, ...none };
  const ask = () => product.service.usage(question.metric, question.query, question.windows);
  const { activations } = product;
  let last: ActivationFigures = { ...base, outcome: 'failed', attempts: 0, ...none };
  for (let attempt = 1; attempt <= 2; attempt++) {
    const [started, ended] = [activations.started.length, activations.ended.length];
    const t0 = Date.now();
    await ask();
    await settled(product);
    const seconds = round1(Date.now() - t0);
    recorder.take();
    await ask();
    const fast = pathOf(recorder.take()).path === 'fast';
    const start = activations.started.slice(started).at(-1);
    const end = activations.ended.slice(ended).at(-1);
    const backfillMs =
      start && end?.ready ? end.at - start.since.getTime() - BENCH_ROLLUP_TIMINGS.settleMs : null;
    last = {
      ...base,
      outcome: fast ? 'ready' : 'failed',
      attempts: attempt,
      seconds,
      backfillSeconds: backfillMs === null ? null : round1(backfillMs),
      productSeconds: end?.durationMs === undefined ? null : round1(end.durationMs),
      ...(end?.error ? { error: end.error } : {}),
    };
    if (fast) return last;
    await sleep(BENCH_ROLLUP_TIMINGS.retryMs + 100);
  }
  return last;
}

/** One line for the log and the report. */
export function activationLine(a: ActivationFigures): string {
  const types = a.types.map((t) => t.replace('_AGG', '')).join('/');
  const events = a.codeEvents.toLocaleString('en-US');
  if (a.outcome === 'skipped')
    return `${types}: not activated (backfill of ${events} events estimated ${a.estimateSeconds} s); asked as before the definition is ready`;
  const took = `backfill ${a.backfillSeconds ?? '?'} s of ${events} events, ${a.seconds} s in all (estimate ${a.estimateSeconds} s)`;
  return `${types}: ${a.outcome === 'ready' ? 'ready' : `FAILED after ${a.attempts} tries${a.error ? ` (${a.error})` : ''}`}, ${took}`;
}
