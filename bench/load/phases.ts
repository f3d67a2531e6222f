import type { Cleanup } from '../cleanup';
import type { BenchConfig, LoadShape } from '../config';
import { HOT_SUBSCRIPTION, METRICS, type Window } from '../model';
import { latency, type Latency } from '../stats';
import { failedRun, mergeIngest, runWorkers, type IngestFigures } from './phase';
import type { IngestTask, TargetInfo, UsageResult } from './protocol';

export interface PhaseContext {
  config: BenchConfig;
  cleanup: Cleanup;
  window: Window;
  log: (line: string) => void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Prints the elapsed time every 10 s while a long step runs. */
async function withTicker<T>(what: string, log: (line: string) => void, work: Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => log(`  ${what}: ${Math.round((Date.now() - started) / 1000)} s…`), 10_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * One ingestion load phase: `shape.procs` client processes with `shape.inflight` calls (or, for a
 * stream, un-answered requests) each. `tag` makes the phase's transaction ids unique (`<tag><proc>-<seq>`).
 */
export async function ingestPhase(
  name: string,
  kind: IngestTask['kind'],
  target: TargetInfo,
  shape: LoadShape & { batchSize: number; tag: string },
  ctx: PhaseContext,
): Promise<IngestFigures> {
  const { config } = ctx;
  ctx.log(
    `${name}: ${shape.procs} processes × ${shape.inflight} in flight, ${config.warmupMs / 1000} s warm-up + ${config.phaseMs / 1000} s`,
  );
  const tasks: IngestTask[] = Array.from({ length: shape.procs }, (_, proc) => ({
    ...target,
    kind,
    prefix: `${shape.tag}${proc}`,
    inflight: shape.inflight,
    batchSize: shape.batchSize,
    subscriptions: config.subscriptions,
    window: { from: ctx.window.from.getTime(), to: ctx.window.to.getTime() },
  }));
  // A failed phase is reported (as errors, so its checks fail) and the run goes on to the next one.
  const results = await withTicker(name, ctx.log, runWorkers(tasks, config, ctx.cleanup)).catch((error) => [
    failedRun(error),
  ]);
  const figures = mergeIngest(results, { ...shape, batchSize: shape.batchSize }, config.phaseMs);
  ctx.log(
    `${name}: ${fmt(figures.eventsPerSec)} events/s, p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, errors ${figures.errors}${figures.errors ? ` (${figures.errorSamples[0]})` : ''}`,
  );
  return figures;
}

export interface UsageFigures {
  latencyMs: Latency;
  errors: number;
  errorSamples: string[];
  value: string;
  eventsCount: string;
}

function failedUsage(codes: string[], error: unknown): UsageResult {
  const failure = {
    latenciesMs: [],
    errors: 1,
    errorSamples: [(error as Error).message],
    value: '',
    eventsCount: '',
  };
  return { kind: 'usage', perCode: Object.fromEntries(codes.map((code) => [code, failure])) };
}

/** GetUsage for every metric of bench/model.ts on the hot subscription, sequential calls, one client. */
export async function usagePhase(
  target: TargetInfo,
  ctx: PhaseContext,
): Promise<Record<string, UsageFigures>> {
  const { usage } = ctx.config;
  ctx.log(`GetUsage: ${METRICS.length} metrics × (${usage.warmup} warm-up + ${usage.runs} measured) calls`);
  const task = {
    ...target,
    kind: 'getUsage' as const,
    codes: METRICS.map((m) => m.code),
    subscription: HOT_SUBSCRIPTION,
    window: { from: ctx.window.from.getTime(), to: ctx.window.to.getTime() },
    ...usage,
  };
  const run = runWorkers([task], { warmupMs: 0, phaseMs: 0 }, ctx.cleanup);
  const [result] = (await withTicker('GetUsage', ctx.log, run).catch((error) => [
    failedUsage(task.codes, error),
  ])) as UsageResult[];
  const figures: Record<string, UsageFigures> = {};
  for (const m of METRICS) {
    const { latenciesMs, ...rest } = result.perCode[m.code];
    figures[m.type] = { ...rest, latencyMs: latency(latenciesMs) };
    ctx.log(
      `  GetUsage ${m.type}: p50 ${figures[m.type].latencyMs.p50} ms, p99 ${figures[m.type].latencyMs.p99} ms`,
    );
  }
  return figures;
}
