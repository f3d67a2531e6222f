// The programs as an operator runs them, in child processes: `npm start` on the embedded stores,
// org:create while it runs, a second start on a taken port, SIGTERM to npm, and a restart.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoPath } from '../../libs/common/src/repo-path';
import { freePort } from '../../libs/testing/src/free-port';
import { MetricRegistryServiceClient } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { credentials } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(command, args, { cwd: repoPath('.'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(running: Running, pattern: RegExp, ms = 90_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const match = running.output().match(pattern);
    if (match) return match;
    if (Date.now() > until || running.child.exitCode !== null) {
      throw new Error(`no ${pattern} in:\n${running.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start, org:create and SIGTERM as separate processes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'metering-process-'));
  let env: NodeJS.ProcessEnv;
  let ports: Record<string, number>;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    ports = {
      REGISTRY_PORT: await freePort(),
      INGESTION_PORT: await freePort(),
      AGGREGATION_PORT: await freePort(),
      METRICS_PORT: await freePort(),
      PGLITE_PORT: await freePort(),
    };
    const base = { ...process.env };
    delete base.DATABASE_URL;
    delete base.NODE_OPTIONS;
    env = {
      ...base,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      CLICKHOUSE_DATA_DIR: path.join(dir, 'clickhouse'),
      PGLITE_DATA_DIR: path.join(dir, 'postgres'),
      DEV_KEY_FILE: path.join(dir, 'dev-api-key'),
      LOG_LEVEL: 'warn',
    };
  });

  it('runs, serves a key made by org:create meanwhile, refuses a second start in one line, and stops on SIGTERM', async () => {
    const start = run('npm', ['start', '--silent'], env);
    const [, devKey] = await waitFor(start, /development API key: (mk_\S+)/);
    expect(start.output()).toContain(`registry     127.0.0.1:${ports.REGISTRY_PORT}`);
    expect(start.output()).toContain(`metrics      http://127.0.0.1:${ports.METRICS_PORT}/metrics`);

    const created = execFileSync('node', ['dist/services/registry/src/create-organization.js', 'Acme'], {
      cwd: repoPath('.'),
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const orgKey = /api key:\s+(mk_\S+)/.exec(created)![1];
    const registry = new MetricRegistryServiceClient(
      `127.0.0.1:${ports.REGISTRY_PORT}`,
      credentials.createInsecure(),
    );
    expect(await unary(registry, 'getCallerOrganization', {}, orgKey)).toMatchObject({ name: 'Acme' });
    registry.close();

    const second = run('node', ['dist/services/all-in-one/src/main.js'], {
      ...env,
      CLICKHOUSE_DATA_DIR: path.join(dir, 'other-clickhouse'),
      PGLITE_DATA_DIR: path.join(dir, 'other-postgres'),
      PGLITE_PORT: '0',
    });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/127\.0\.0\.1:\d+ is already in use/);
    expect(second.output()).not.toMatch(/^\s+at /m);

    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(start.child.pid)], {
      encoding: 'utf8',
    })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter(Boolean);
    start.child.kill('SIGTERM');
    await start.exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const pid of children) expect(alive(pid)).toBe(false);

    const again = run('node', ['dist/services/all-in-one/src/main.js'], env);
    const [, sameKey] = await waitFor(again, /development API key: (mk_\S+)/);
    expect(sameKey).toBe(devKey);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 180_000);
});
