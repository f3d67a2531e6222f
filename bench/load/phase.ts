import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { exited, type Cleanup } from '../cleanup';
import { latency, type Latency } from '../stats';
import type { FromWorker, IngestResult, Schedule, ToWorker, WorkerResult, WorkerTask } from './protocol';

/** Waits for the next message of one kind from a worker; fails if it reports an error or exits. */
function next<T extends FromWorker['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type !== type && message.type !== 'error') return;
      child.off('message', onMessage).off('exit', onExit);
      if (message.type === 'error') reject(new Error(`load worker failed: ${message.message}`));
      else resolve(message as Extract<FromWorker, { type: T }>);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`load worker exited (${code}) before '${type}'`));
    child.on('message', onMessage).once('exit', onExit);
  });
}

/**
 * Forks one worker process per task, waits until all are connected, starts them together on one
 * schedule (warm-up, then the measured window) and collects their results.
 */
export async function runWorkers(
  tasks: WorkerTask[],
  timing: { warmupMs: number; phaseMs: number },
  cleanup: Cleanup,
): Promise<WorkerResult[]> {
  const children = tasks.map((_, i) =>
    cleanup.track(
      fork(path.join(__dirname, 'worker.js'), [], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
      `load worker ${i}`,
    ),
  );
  try {
    const ready = children.map((child) => next(child, 'ready'));
    children.forEach((child, i) => child.send({ type: 'task', task: tasks[i] } satisfies ToWorker));
    await Promise.all(ready);
    const startAt = Date.now() + 200;
    const schedule: Schedule = {
      startAt,
      measureFrom: startAt + timing.warmupMs,
      endAt: startAt + timing.warmupMs + timing.phaseMs,
    };
    const results = children.map((child) => next(child, 'result'));
    children.forEach((child) => child.send({ type: 'go', schedule } satisfies ToWorker));
    return (await Promise.all(results)).map((m) => m.result);
  } finally {
    for (const child of children) if (child.connected) child.disconnect();
    await Promise.all(children.map(exited));
  }
}

/** A phase whose workers could not run (e.g. the server stopped answering): one error, nothing measured. */
export function failedRun(error: unknown): IngestResult {
  const message = (error as Error).message ?? String(error);
  return {
    kind: 'ingest',
    events: 0,
    calls: 0,
    errors: 1,
    errorSamples: [message],
    statuses: {},
    latenciesMs: [],
  };
}

/** One load phase, all its processes together. */
export interface IngestFigures {
  procs: number;
  inflightPerProc: number;
  batchSize: number;
  seconds: number;
  eventsPerSec: number;
  callsPerSec: number;
  events: number;
  calls: number;
  errors: number;
  errorSamples: string[];
  statuses: Record<string, number>;
  latencyMs: Latency;
}

export function mergeIngest(
  results: WorkerResult[],
  shape: { procs: number; inflight: number; batchSize: number },
  phaseMs: number,
): IngestFigures {
  const ingest = results.filter((r): r is IngestResult => r.kind === 'ingest');
  const sum = (f: (r: IngestResult) => number) => ingest.reduce((a, r) => a + f(r), 0);
  const statuses: Record<string, number> = {};
  for (const r of ingest)
    for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
  const seconds = phaseMs / 1000;
  return {
    procs: shape.procs,
    inflightPerProc: shape.inflight,
    batchSize: shape.batchSize,
    seconds,
    eventsPerSec: Math.round(sum((r) => r.events) / seconds),
    callsPerSec: Math.round(sum((r) => r.calls) / seconds),
    events: sum((r) => r.events),
    calls: sum((r) => r.calls),
    errors: sum((r) => r.errors),
    errorSamples: ingest.flatMap((r) => r.errorSamples).slice(0, 5),
    statuses,
    latencyMs: latency(ingest.flatMap((r) => r.latenciesMs)),
  };
}
