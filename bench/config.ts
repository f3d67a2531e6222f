/** What one bench run does: the full run (`npm run bench`) or a smoke run (`-- --quick`). */
export interface BenchConfig {
  quick: boolean;
  /** Rows in `events` before any load: the spread rows plus the hot subscription's rows. */
  preloadRows: number;
  /** Rows per INSERT … SELECT of the preload (progress is printed after each). */
  preloadChunkRows: number;
  /** Events of the hot subscription per metric code: what each GetUsage call aggregates. */
  hotEventsPerCode: number;
  /** Subscriptions the preload and the load generators spread events over. */
  subscriptions: number;
  warmupMs: number;
  phaseMs: number;
  batchSize: number;
  ingestEvents: LoadShape;
  streamEvents: LoadShape;
  unary: LoadShape;
  usage: { warmup: number; runs: number };
  /** The long unary phase (issue 8): how long it runs, and its resource bounds (descriptors, files, parts). */
  longUnaryMs: number;
  rawInsert: { rows: number; batchSizes: number[]; concurrency: number };
}

/** N client processes × M calls in flight in each (for a stream: M requests not yet answered). */
export interface LoadShape {
  procs: number;
  inflight: number;
}

/** The targets of the issue (2 cores, client and server on one box). */
export const TARGETS = {
  batchedEventsPerSec: 75_000,
  batchedVsRawInsert: 0.5,
  unaryEventsPerSec: 5_000,
  unaryP99Ms: 30,
  unaryVsBareGrpc: 0.6,
  usageP99Ms: 50,
  usageVsRawSql: 1.5,
  /** Issue 12 part 2: GetUsage from the hourly aggregates, and ingest with them vs without. */
  rollupUsageP50Ms: 50,
  rollupUsageP99Ms: 150,
  rollupInsertVsWithout: 0.85,
  serverRssBytes: 1.5 * 1024 ** 3,
  /** Over the long unary phase: growth of the server's descriptors (less per-thread /proc files), its threads, key-index files, active `events` parts. */
  longRunDescriptorGrowth: 100,
  longRunThreads: 400,
  longRunSstFiles: 50,
  longRunEventParts: 300,
  /** Key-index lookups (1,000 keys) p50 against the old layout, same keys, same run. */
  keyLookupVsOldLayout: 1.5,
} as const;

const FULL: BenchConfig = {
  quick: false,
  preloadRows: 10_000_000,
  preloadChunkRows: 1_000_000,
  hotEventsPerCode: 100_000,
  subscriptions: 1_000,
  warmupMs: 5_000,
  phaseMs: 25_000,
  batchSize: 1_000,
  ingestEvents: { procs: 4, inflight: 2 },
  streamEvents: { procs: 4, inflight: 2 },
  unary: { procs: 4, inflight: 16 },
  usage: { warmup: 10, runs: 200 },
  longUnaryMs: 180_000,
  // 20,000: the ingestion service's group-commit bound (MAX_GROUP in ingestion.service.ts).
  rawInsert: { rows: 1_000_000, batchSizes: [1_000, 20_000], concurrency: 4 },
};

const QUICK: BenchConfig = {
  ...FULL,
  quick: true,
  preloadRows: 1_000_000,
  preloadChunkRows: 500_000,
  warmupMs: 2_000,
  phaseMs: 5_000,
  usage: { warmup: 2, runs: 20 },
  longUnaryMs: 15_000,
  rawInsert: { ...FULL.rawInsert, rows: 60_000 },
};

export function benchConfig(argv: string[]): BenchConfig {
  const unknown = argv.filter((a) => a !== '--quick');
  if (unknown.length > 0) throw new Error(`bench: unknown argument(s) ${unknown.join(' ')} (only --quick)`);
  return argv.includes('--quick') ? QUICK : FULL;
}
