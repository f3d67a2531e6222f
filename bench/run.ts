import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../libs/common/src/repo-path';
import { startBareServer } from './baselines/bare-grpc';
import { checks } from './checks';
import { Cleanup } from './cleanup';
import { benchConfig, type BenchConfig } from './config';
import { listEventsPhase } from './load/list-events';
import { ingestPhase, usagePhase, type PhaseContext } from './load/phases';
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
      product: { ingestEvents, streamEvents, ingestEvent, longUnary, getUsage, listEvents },
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
