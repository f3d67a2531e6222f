/** Messages between the bench (parent) and a load worker process (bench/load/worker.ts), over IPC. */

export interface TargetInfo {
  address: string;
  apiKey: string;
}

/** One client process's share of a load phase. */
export interface IngestTask extends TargetInfo {
  kind: 'ingestEvents' | 'streamEvents' | 'ingestEvent';
  /** Transaction ids are `<prefix>-<seq>`, so unique per phase and process. */
  prefix: string;
  inflight: number;
  batchSize: number;
  subscriptions: number;
  window: { from: number; to: number };
}

/** Sequential GetUsage calls, per metric code: `warmup` unmeasured, then `runs` measured. */
export interface UsageTask extends TargetInfo {
  kind: 'getUsage';
  codes: string[];
  subscription: string;
  window: { from: number; to: number };
  warmup: number;
  runs: number;
}

export type WorkerTask = IngestTask | UsageTask;

/** Wall-clock times (Date.now()) shared by every worker of a phase. */
export interface Schedule {
  startAt: number;
  /** Calls completed before this are warm-up and not counted. */
  measureFrom: number;
  /** No call starts after this; calls completed after it are not counted. */
  endAt: number;
}

export interface IngestResult {
  kind: 'ingest';
  /** Events answered inside [measureFrom, endAt]. */
  events: number;
  calls: number;
  errors: number;
  errorSamples: string[];
  /** Per EventResult status (ACCEPTED, DUPLICATE, REJECTED), or `answered` for unary calls. */
  statuses: Record<string, number>;
  latenciesMs: number[];
}

export interface UsageCodeResult {
  latenciesMs: number[];
  errors: number;
  errorSamples: string[];
  /** The last answer, to compare with the raw SQL's. */
  value: string;
  eventsCount: string;
}

export interface UsageResult {
  kind: 'usage';
  perCode: Record<string, UsageCodeResult>;
}

export type WorkerResult = IngestResult | UsageResult;

export type ToWorker = { type: 'task'; task: WorkerTask } | { type: 'go'; schedule: Schedule };
export type FromWorker =
  { type: 'ready' } | { type: 'result'; result: WorkerResult } | { type: 'error'; message: string };
