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
  scale: ScaleConfig;
}

/**
 * Issue 12's scenario (bench/scale/): subscriptions holding `sizes` events of one code in a 30-day
 * window, asked through the product's UsageService in the bench process, then through gRPC.
 */
export interface ScaleConfig {
  /** Events of each scale subscription, ascending; the last is the headline (10M in the full run). */
  sizes: number[];
  /** Distinct values of the unique-count property (`user`) in a subscription of that many events or more. */
  uniqueValues: number;
  /**
   * Per question: `warmup` unmeasured calls (the second only when the first took under a tenth of
   * `budgetMs`), then measured calls up to `maxRuns`, stopping once `budgetMs` has passed and
   * `minRuns` are in (a question answered from the raw events of 10M rows takes seconds a call).
   * A question whose warm-up call took longer than `budgetMs` gets `slowRuns` calls in all, that one
   * counted (bench/scale/measure.ts timeCalls).
   */
  warmup: number;
  minRuns: number;
  slowRuns: number;
  maxRuns: number;
  budgetMs: number;
  /** The raw path (every event) as baseline of a question the product answered otherwise: at most this many calls, within `budgetMs`. */
  rawRuns: number;
  /**
   * Before a group of types' grouped questions, the scenario makes their rollup definition ready
   * (bench/scale/activation.ts): the backfill reads every event of the code (11.1M in the full run).
   * Estimated at these seconds per million events, a group over `activationBudgetSeconds` is not
   * activated and is asked as the product answers before its definition is ready.
   */
  backfillSecondsPerMillion: { grouped: number; perValue: number };
  activationBudgetSeconds: number;
  /** Metrics of the organization when GetSubscriptionUsage is asked (bench metrics, the scale metric, idle ones). */
  organizationMetrics: number;
  /** Interleaved gRPC calls (GetSubscriptionUsage, GetUsage): warm-up, then measured rounds. */
  grpc: { warmup: number; runs: number };
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
  /** Issue 12 scenario: the events table when the 10M subscription is asked, windowed questions, unique counts. */
  scaleTableRows: 20_000_000,
  scaleWindowedP50Ms: 100,
  uniqueVsUniqExact: 1.5,
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
  // 4M here, 6M of raw inserts and the scale subscriptions' 11.1M: 21M rows when the 10M one is asked.
  preloadRows: 4_000_000,
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
  // 120 s (was 180 s) to make room for the scale scenario; what it watches grows per insert, and
  // two minutes of 64 unary callers are still thousands of inserts.
  longUnaryMs: 120_000,
  // 20,000: the ingestion service's group-commit bound (MAX_GROUP in ingestion.service.ts).
  rawInsert: { rows: 1_000_000, batchSizes: [1_000, 20_000], concurrency: 4 },
  scale: {
    sizes: [100_000, 1_000_000, 10_000_000],
    uniqueValues: 100_000,
    warmup: 2,
    minRuns: 3,
    slowRuns: 2,
    maxRuns: 100,
    budgetMs: 3_000,
    rawRuns: 3,
    // Measured (quick run, 1.11M events of the code, shared 2-core box): grouped 0.7 s, per value
    // 9 s; the README's loaded box: 1.8 s and 19 s per 1M. At 11.1M the per-value backfill would take
    // 1.5–3.5 min, so the full run asks UNIQUE_COUNT as before its definition is ready.
    backfillSecondsPerMillion: { grouped: 2, perValue: 9 },
    activationBudgetSeconds: 90,
    organizationMetrics: 100,
    // GetSubscriptionUsage at 100 metrics takes ~0.5 s a call today: 50 rounds.
    grpc: { warmup: 3, runs: 50 },
  },
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
  scale: {
    ...FULL.scale,
    sizes: [10_000, 100_000, 1_000_000],
    warmup: 1,
    minRuns: 3,
    maxRuns: 10,
    budgetMs: 500,
    rawRuns: 2,
    grpc: { warmup: 1, runs: 10 },
  },
};

const SCALE_EVENTS = /^--scale-events=(\d+)$/;

/**
 * `--quick`: the smoke run. `--scale-events=N`: the largest scale subscription holds N events (e.g.
 * the full run's 10M inside a quick run, to time the scenario alone).
 */
export function benchConfig(argv: string[]): BenchConfig {
  const unknown = argv.filter((a) => a !== '--quick' && !SCALE_EVENTS.test(a));
  if (unknown.length > 0) {
    throw new Error(`bench: unknown argument(s) ${unknown.join(' ')} (only --quick, --scale-events=N)`);
  }
  const config = argv.includes('--quick') ? QUICK : FULL;
  const largest = argv.map((a) => SCALE_EVENTS.exec(a)?.[1]).find(Boolean);
  if (!largest) return config;
  const sizes = [...config.scale.sizes.slice(0, -1), Number(largest)].sort((a, b) => a - b);
  return { ...config, scale: { ...config.scale, sizes } };
}
