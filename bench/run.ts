import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../libs/common/src/repo-path';
import { startBareServer } from './baselines/bare-grpc';
import { checks } from './checks';
import { Cleanup } from './cleanup';
import { benchConfig, type BenchConfig } from './config';
import { listEventsPhase } from './load/list-events';
import { ingestPhase, usagePhase, type PhaseContext } from './load/phases';
import { usageProbes } from './load/usage-probes';
import { currentMonth, HOT_SUBSCRIPTION } from './model';
import { table, writeResults } from './report';
import { machine, type BenchResults } from './results';
import { engineWork, registerAll, type Registered, type StepContext } from './setup/prepare';
import { serverResources } from './setup/resources';
import { RssSampler } from './setup/rss';
import { ServerProcess, tail } from './setup/server';

/**
 * `npm run bench [-- --quick]`: boots the system on the embedded stores in a temporary directory,
 * preloads it, measures the raw engine, then loads the product through gRPC from client processes.
 */
const RESULTS_DIR = repoPath('bench/results');
const started = Date.now();
const log = (line: string) =>
  console.log(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}`);

/** Second start: the measured server. GetUsage first (the table as preloaded), then the ingestion phases. */
async function productPhases(ctx: StepContext, registered: Registered) {
  ctx.log('server: start on the preloaded data');
  const server = await ServerProcess.start(ctx.files, ctx.cleanup);
  const rss = new RssSampler(server.pid);
  const phase: PhaseContext = { ...ctx };
  const { config } = ctx;
  const target = (address: string) => ({ address, apiKey: registered.apiKey });
  try {
    const getUsage = await usagePhase(target(server.addresses.aggregation), phase);
    const grpcUsage = await usageProbes(
      server.addresses.aggregation,
      registered.apiKey,
      ctx.window,
      config,
      ctx.log,
    );
    const listEvents = await listEventsPhase(
      server.addresses.ingestion,
      registered.apiKey,
      HOT_SUBSCRIPTION,
      phase,
    );
    const ingest = target(server.addresses.ingestion);
    const batch = { batchSize: config.batchSize };
    const ingestEvents = await ingestPhase(
      'IngestEvents',
      'ingestEvents',
      ingest,
      { ...config.ingestEvents, ...batch, tag: 'wb' },
      phase,
    );
    const streamEvents = await ingestPhase(
      'StreamEvents',
      'streamEvents',
      ingest,
      { ...config.streamEvents, ...batch, tag: 'ws' },
      phase,
    );
    const ingestEvent = await ingestPhase(
      'IngestEvent',
      'ingestEvent',
      ingest,
      { ...config.unary, batchSize: 1, tag: 'wu' },
      phase,
    );
    const longUnary = await longUnaryPhase(ctx, server, ingest);
    return {
      product: { ingestEvents, streamEvents, ingestEvent, longUnary, getUsage, grpcUsage, listEvents },
      server: rss.stop(),
    };
  } finally {
    rss.stop();
    await server.stop();
  }
}

/**
 * Issue 8: unary IngestEvent for minutes (each group commit is an insert of its own), with the
 * server's descriptors, threads, key-index files, `events` part directories and RSS at start and end.
 */
async function longUnaryPhase(
  ctx: StepContext,
  server: ServerProcess,
  target: { address: string; apiKey: string },
) {
  const clickhouseDir = path.join(ctx.files.dataDir, 'clickhouse');
  const start = serverResources(server.pid, clickhouseDir);
  ctx.log(`long unary: at start ${JSON.stringify(start)}`);
  const phase: PhaseContext = {
    ...ctx,
    config: { ...ctx.config, warmupMs: 0, phaseMs: ctx.config.longUnaryMs },
  };
  const figures = await ingestPhase(
    'IngestEvent, long run',
    'ingestEvent',
    target,
    { ...ctx.config.unary, batchSize: 1, tag: 'wl' },
    phase,
  );
  const end = serverResources(server.pid, clickhouseDir);
  ctx.log(`long unary: at end ${JSON.stringify(end)}`);
  return { ...figures, resources: { start, end } };
}

/**
 * Issue 9: a third start of the same server with DEDUPE_CLAIMS=postgres (the claim every ingestion
 * process shares, in a fresh database on the local PostgreSQL server: the registry stays on PGlite),
 * and the batched and unary ingest phases again, next to the embedded index's figures of this run.
 */
async function sharedClaimPhases(ctx: StepContext, registered: Registered, serverUrl: string) {
  const name = `metering_bench_claims_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  ctx.cleanup.add(`drop ${name}`, async () => {
    const c = new Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  ctx.log(`server: start with DEDUPE_CLAIMS=postgres on ${url.host}${url.pathname}`);
  const server = await ServerProcess.start(ctx.files, ctx.cleanup, {
    DEDUPE_CLAIMS: 'postgres',
    CLAIMS_DATABASE_URL: url.toString(),
  });
  const ingest = { address: server.addresses.ingestion, apiKey: registered.apiKey };
  try {
    const ingestEvents = await ingestPhase(
      'IngestEvents, shared claim',
      'ingestEvents',
      ingest,
      { ...ctx.config.ingestEvents, batchSize: ctx.config.batchSize, tag: 'cb' },
      ctx,
    );
    const ingestEvent = await ingestPhase(
      'IngestEvent, shared claim',
      'ingestEvent',
      ingest,
      { ...ctx.config.unary, batchSize: 1, tag: 'cu' },
      ctx,
    );
    return { ingestEvents, ingestEvent, server: `PostgreSQL ${url.host}` };
  } finally {
    await server.stop();
  }
}

/** The unary phase again, against a bare grpc-js server with an empty IngestEvent handler. */
async function bareBaseline(ctx: StepContext, apiKey: string) {
  const bare = await startBareServer(ctx.cleanup);
  try {
    const shape = { ...ctx.config.unary, batchSize: 1, tag: 'wx' };
    return await ingestPhase(
      'bare grpc-js IngestEvent',
      'ingestEvent',
      { address: bare.address, apiKey },
      shape,
      ctx,
    );
  } finally {
    await bare.stop();
  }
}

async function bench(config: BenchConfig, cleanup: Cleanup): Promise<BenchResults> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'metering-bench-'));
  cleanup.add(`remove ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, 'server.log');
  writeFileSync(logFile, '');
  const ctx: StepContext = { config, cleanup, window: currentMonth(), files: { dataDir, logFile }, log };
  log(
    `${config.quick ? 'quick' : 'full'} run in ${dataDir} (server log: ${path.relative(process.cwd(), logFile)})`,
  );
  const registered = await registerAll(ctx);
  const raw = await engineWork(ctx, registered);
  try {
    const { product, server } = await productPhases(ctx, registered);
    const bare = await bareBaseline(ctx, registered.apiKey);
    const claimsServer = process.env.BENCH_CLAIMS_DATABASE_URL || process.env.DATABASE_URL;
    const sharedClaim = claimsServer ? await sharedClaimPhases(ctx, registered, claimsServer) : undefined;
    if (!claimsServer) log('shared claim: skipped (set BENCH_CLAIMS_DATABASE_URL or DATABASE_URL)');
    const totalSeconds = Math.round((Date.now() - started) / 1000);
    const date = new Date().toISOString();
    return {
      date,
      quick: config.quick,
      totalSeconds,
      machine: machine(),
      config,
      raw,
      product,
      bare: { ingestEvent: bare },
      sharedClaim,
      server,
    };
  } catch (error) {
    console.error(`server log (last lines):\n${tail(logFile)}`);
    throw error;
  }
}

async function main(): Promise<void> {
  const config = benchConfig(process.argv.slice(2));
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping, cleaning up`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const results = await bench(config, cleanup);
    const list = checks(results);
    console.log(`\n${table(results, list)}`);
    log(`results: ${path.relative(process.cwd(), writeResults(RESULTS_DIR, results, list))}`);
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
