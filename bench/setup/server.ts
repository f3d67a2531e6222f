import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPath } from '../../libs/common/src/repo-path';
import { Cleanup, stopChild } from '../cleanup';
import { freePort } from '../../libs/testing/src/free-port';
import { isServing, sleep } from './health';

/** Where the system under test keeps its embedded stores and development key. */
export interface ServerFiles {
  dataDir: string;
  logFile: string;
}

export interface Addresses {
  registry: string;
  ingestion: string;
  aggregation: string;
}

const BOOT_TIMEOUT_MS = 180_000;
/** The node flags of `npm start` (package.json). */
const START_FLAGS = ['--max-semi-space-size=64'];

/** `npm start`'s process (dist/services/all-in-one/src/main.js) on the bench's own data and ports. */
export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly addresses: Addresses,
    readonly apiKey: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  /** `env`: more variables for the server (e.g. DEDUPE_CLAIMS and CLAIMS_DATABASE_URL). */
  static async start(
    files: ServerFiles,
    cleanup: Cleanup,
    extraEnv: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const [registry, ingestion, aggregation, pglite] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
    const keyFile = path.join(files.dataDir, 'dev-api-key');
    const env = {
      ...process.env,
      HOST: '127.0.0.1',
      REGISTRY_PORT: String(registry),
      INGESTION_PORT: String(ingestion),
      AGGREGATION_PORT: String(aggregation),
      PGLITE_PORT: String(pglite),
      CLICKHOUSE_DATA_DIR: path.join(files.dataDir, 'clickhouse'),
      PGLITE_DATA_DIR: path.join(files.dataDir, 'postgres'),
      DEV_KEY_FILE: keyFile,
      CLICKHOUSE_URL: '',
      DATABASE_URL: '',
      ...extraEnv,
    };
    const log = openSync(files.logFile, 'a');
    // BENCH_SERVER_NODE_ARGS: extra node flags for the measured server, e.g. `--cpu-prof`.
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(
      process.execPath,
      [...START_FLAGS, ...nodeArgs, repoPath('dist/services/all-in-one/src/main.js')],
      {
        env,
        stdio: ['ignore', log, log],
      },
    );
    closeSync(log);
    cleanup.track(child, 'server');
    const host = (port: number) => `127.0.0.1:${port}`;
    const addresses = {
      registry: host(registry),
      ingestion: host(ingestion),
      aggregation: host(aggregation),
    };
    await waitReady(child, addresses, keyFile, files.logFile);
    return new ServerProcess(child, addresses, readFileSync(keyFile, 'utf8').trim());
  }

  /** SIGTERM (the server closes its stores), SIGKILL after 30 s. */
  stop(): Promise<void> {
    return stopChild(this.child, 30_000);
  }
}

/** Every port answers health SERVING and the development key has been written. */
async function waitReady(child: ChildProcess, addresses: Addresses, keyFile: string, logFile: string) {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `server exited during start-up (${child.exitCode ?? child.signalCode}):\n${tail(logFile)}`,
      );
    }
    const serving = await Promise.all(Object.values(addresses).map(isServing));
    if (serving.every(Boolean) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim()) return;
    await sleep(250);
  }
  throw new Error(`server not ready after ${BOOT_TIMEOUT_MS / 1000} s:\n${tail(logFile)}`);
}

export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
