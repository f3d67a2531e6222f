// docker-compose.yml and the Dockerfile cannot run on these machines (no Docker engine, no compose
// plugin), so this checks offline what would otherwise only fail at `docker compose up`: the file's
// shape, that each container's environment is one its service's config schema accepts, that the
// commands name files the build produces, and that the image carries the files read at run time.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { dedupeClaims } from '../../../libs/common/src/config';
import { repoPath } from '../../../libs/common/src/repo-path';
import { aggregationConfig } from '../../aggregation/src/config';
import { stackEnv } from './config';
import { ingestionConfig } from '../../ingestion/src/config';
import { registryConfig } from '../../registry/src/config';

type Env = Record<string, string>;

/** What the test knows about each program the image can run, keyed by its TypeScript source. */
interface Entry {
  config: (env: Env) => Record<string, unknown>;
  /** Runs to completion (no healthcheck, nothing may restart it). */
  oneShot: boolean;
  /** The config key holding the gRPC port it listens on. */
  portKey?: string;
  /** Config keys that must point at a server: unset, the code falls back to an embedded store. */
  stores: string[];
}

const ENTRIES: Record<string, Entry> = {
  'services/registry/src/main.ts': {
    config: registryConfig,
    oneShot: false,
    portKey: 'REGISTRY_PORT',
    stores: ['DATABASE_URL'],
  },
  'services/ingestion/src/main.ts': {
    config: ingestionConfig,
    oneShot: false,
    portKey: 'INGESTION_PORT',
    // DATABASE_URL: the claims shared by the replicas (event_claims).
    stores: ['CLICKHOUSE_URL', 'DATABASE_URL'],
  },
  'services/aggregation/src/main.ts': {
    config: aggregationConfig,
    oneShot: false,
    portKey: 'AGGREGATION_PORT',
    stores: ['CLICKHOUSE_URL'],
  },
  'services/all-in-one/src/migrate.ts': {
    config: stackEnv,
    oneShot: true,
    stores: ['DATABASE_URL', 'CLICKHOUSE_URL'],
  },
  'services/registry/src/create-organization.ts': {
    config: registryConfig,
    oneShot: true,
    stores: ['DATABASE_URL'],
  },
};
const MIGRATE = 'services/all-in-one/src/migrate.ts';

/** Files the services read from the repository root at run time (repoPath), and the healthcheck. */
const RUNTIME_FILES = [
  'package.json',
  'proto',
  'libs/clickhouse/migrations',
  'libs/postgres/migrations',
  'services/ingestion/migrations',
  'docker/healthcheck.js',
];

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

interface Service {
  image?: string;
  build?: unknown;
  command?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
  ports?: unknown[];
  volumes?: unknown[];
  restart?: string;
}

/** Compose's `${VAR:-default}` / `${VAR-default}` / `$$`, with every variable unset: the defaults. */
function interpolate(value: unknown, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?([^}]*)\}|\$[A-Za-z_{]/g,
      (m, name, dash, def) => {
        if (m === '$$') return '$';
        if (!name || !dash) throw new Error(`${where}: "${m}" has no default (use \${VAR:-default})`);
        return def as string;
      },
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, `${where}.${k}`)]));
  }
  return value;
}

function loadCompose(): { services: Record<string, Service>; volumes: Record<string, unknown> } {
  const raw = load(readFileSync(repoPath('docker-compose.yml'), 'utf8')) as Record<string, unknown>;
  const file = interpolate(raw, 'docker-compose.yml') as Record<string, unknown>;
  return {
    services: (file.services ?? {}) as Record<string, Service>,
    volumes: (file.volumes ?? {}) as Record<string, unknown>,
  };
}

const compose = loadCompose();
const services = Object.entries(compose.services);

function environment(service: Service): Env {
  const env = service.environment ?? {};
  const pairs: [string, unknown][] = Array.isArray(env)
    ? env.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, null] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env);
  return Object.fromEntries(
    pairs.map(([key, value]) => {
      // A bare key would take its value from the host's shell: every value is written down here.
      if (value == null) throw new Error(`environment ${key} has no value`);
      return [key, String(value)];
    }),
  );
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([name, dep]) => [name, dep?.condition ?? 'service_started']),
  );
}

function argv(value: unknown): string[] {
  if (value == null) return [];
  // The exec form only: a string would run through /bin/sh, which PID 1 signals do not cross.
  if (!Array.isArray(value)) throw new Error(`expected the exec form (a list), got ${JSON.stringify(value)}`);
  return value.map(String);
}

function tsconfigOptions(file: string): { rootDir?: string; outDir?: string } {
  const json = JSON.parse(readFileSync(repoPath(file), 'utf8')) as {
    extends?: string;
    compilerOptions?: { rootDir?: string; outDir?: string };
  };
  const base = json.extends ? tsconfigOptions(path.join(path.dirname(file), json.extends)) : {};
  return { ...base, ...json.compilerOptions };
}

/** `dist/services/x/src/main.js` → `services/x/src/main.ts`, by the build's rootDir and outDir. */
function sourceOf(built: string): string {
  const { rootDir = '.', outDir = '.' } = tsconfigOptions('tsconfig.build.json');
  const relative = path.relative(outDir, built);
  if (relative.startsWith('..') || !relative.endsWith('.js')) {
    throw new Error(`${built} is not under the build's outDir ${outDir}`);
  }
  return path.normalize(path.join(rootDir, relative.replace(/\.js$/, '.ts')));
}

/** The program a service of the metering image runs, with its entry, or undefined for other images. */
function program(service: Service): { source: string; entry: Entry } | undefined {
  if (!service.build) return undefined;
  const args = [...argv(service.entrypoint), ...argv(service.command)];
  if (args[0] !== 'node' || !args[1]) {
    throw new Error(`expected "node dist/…js", got ${JSON.stringify(args)}`);
  }
  const source = sourceOf(args[1]);
  const entry = ENTRIES[source];
  if (!entry) throw new Error(`${source}: not a program this test knows (add it to ENTRIES)`);
  return { source, entry };
}

/** The parsed config of a metering service, from exactly the environment compose gives it. */
function configOf(service: Service): Record<string, unknown> {
  const run = program(service);
  if (!run) throw new Error('not a metering service');
  return run.entry.config(environment(service));
}

/** Port a metering service listens on, or undefined. */
function listensOn(service: Service): number | undefined {
  const run = program(service);
  if (!run?.entry.portKey) return undefined;
  return configOf(service)[run.entry.portKey] as number;
}

function isOneShot(service: Service): boolean {
  return program(service)?.entry.oneShot ?? false;
}

/** [published, target] of the short `ports:` syntax (`"50051:50051"`, `"127.0.0.1:50051:50051"`). */
function portPairs(service: Service): [string, number][] {
  return (service.ports ?? []).map((spec) => {
    const parts = String(spec).split('/')[0].split(':');
    if (parts.length < 2) throw new Error(`port ${String(spec)}: publish it as "host:container"`);
    return [parts.slice(0, -1).join(':'), Number(parts[parts.length - 1])];
  });
}

function healthcheckArgv(service: Service): string[] {
  const test = service.healthcheck?.test;
  return typeof test === 'string' ? ['CMD-SHELL', test] : argv(test);
}

describe('docker-compose.yml', () => {
  it('parses, with services', () => {
    expect(services.length).toBeGreaterThan(0);
  });

  it.each(services)('%s: runs an image or builds one', (_name, service) => {
    expect(Boolean(service.image) || Boolean(service.build)).toBe(true);
  });

  it.each(services)('%s: depends on services that exist, with valid conditions', (_name, service) => {
    for (const [target, condition] of Object.entries(dependsOn(service))) {
      expect(compose.services).toHaveProperty([target]);
      expect(CONDITIONS).toContain(condition);
      const dep = compose.services[target];
      if (condition === 'service_healthy') expect(healthcheckArgv(dep)).not.toEqual([]);
      if (condition === 'service_completed_successfully') expect(isOneShot(dep)).toBe(true);
    }
  });

  it.each(services)('%s: has a healthcheck, or runs once and is never restarted', (_name, service) => {
    if (isOneShot(service)) {
      expect(service.restart ?? 'no').toBe('no');
    } else {
      expect(service.healthcheck?.disable).not.toBe(true);
      expect(['CMD', 'CMD-SHELL']).toContain(healthcheckArgv(service)[0]);
      expect(healthcheckArgv(service).length).toBeGreaterThan(1);
    }
  });

  it('publishes each host port once', () => {
    const published = services.flatMap(([, service]) => portPairs(service).map(([host]) => host));
    expect(published.length).toBeGreaterThan(0);
    expect(new Set(published).size).toBe(published.length);
  });

  it('declares every named volume it mounts', () => {
    for (const [, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0];
        if (!/^[./~]/.test(source)) expect(compose.volumes).toHaveProperty([source]);
      }
    }
  });

  const metering = services.filter(([, service]) => service.build);

  it('runs the registry, ingestion and aggregation services and the migrations', () => {
    const sources = metering.map(([, service]) => program(service)?.source);
    for (const source of [
      'services/registry/src/main.ts',
      'services/ingestion/src/main.ts',
      'services/aggregation/src/main.ts',
      MIGRATE,
    ]) {
      expect(sources).toContain(source);
    }
  });

  it('runs two ingestion replicas sharing one claim store (exactly once across them, SPEC §2.2 rule 3)', () => {
    const ingestion = metering.filter(
      ([, service]) => program(service)?.source === 'services/ingestion/src/main.ts',
    );
    expect(ingestion.length).toBeGreaterThanOrEqual(2);
    const configs = ingestion.map(([, service]) => configOf(service));
    for (const config of configs) expect(dedupeClaims(config)).toBe('postgres');
    const claimsDatabase = (c: Record<string, unknown>) => c.CLAIMS_DATABASE_URL ?? c.DATABASE_URL;
    expect(new Set(configs.map(claimsDatabase)).size).toBe(1);
    expect(new Set(configs.map((c) => c.CLICKHOUSE_URL)).size).toBe(1);
  });

  describe.each(metering)('%s', (_name, service) => {
    it('runs a file the build produces from an existing source', () => {
      const run = program(service);
      expect(run).toBeDefined();
      expect(existsSync(repoPath(run!.source))).toBe(true);
    });

    it('gets an environment its config schema accepts, every key a known one', () => {
      const env = environment(service);
      const config = configOf(service);
      // zod drops keys it does not know: a misspelt variable would vanish here.
      for (const key of Object.keys(env)) expect(Object.keys(config)).toContain(key);
    });

    it('uses the store servers of this file, not an embedded store', () => {
      const config = configOf(service);
      const deps = dependsOn(service);
      for (const key of program(service)!.entry.stores) {
        expect(typeof config[key]).toBe('string');
        const host = new URL(config[key] as string).hostname;
        expect(compose.services).toHaveProperty([host]);
        expect(deps[host]).toBe('service_healthy');
      }
    });

    it('reaches other services at the port they listen on, once they are healthy', () => {
      const config = configOf(service);
      for (const [key, value] of Object.entries(config)) {
        if (!key.endsWith('_ADDRESS')) continue;
        const [host, port] = String(value).split(':');
        expect(compose.services).toHaveProperty([host]);
        expect(listensOn(compose.services[host])).toBe(Number(port));
        expect(dependsOn(service)[host]).toBe('service_healthy');
      }
    });

    // Decided while collecting: a command this test cannot map fails the first test above instead.
    const longRunning = (() => {
      try {
        return !isOneShot(service);
      } catch {
        return true;
      }
    })();
    if (longRunning) {
      it('starts after the migrations ran', () => {
        const migrate = metering.find(([, other]) => program(other)?.source === MIGRATE);
        expect(migrate).toBeDefined();
        expect(dependsOn(service)[migrate![0]]).toBe('service_completed_successfully');
      });

      it('checks its health and publishes the port it listens on', () => {
        const port = listensOn(service);
        expect(port).toBeDefined();
        const check = healthcheckArgv(service);
        expect(check.slice(0, 3)).toEqual(['CMD', 'node', 'docker/healthcheck.js']);
        expect(existsSync(repoPath(check[2]))).toBe(true);
        expect(Number(check[3])).toBe(port);
        expect(portPairs(service).map(([, target]) => target)).toContain(port);
      });
    }
  });

  it('gives the services the credentials the store containers are created with', () => {
    const postgres = environment(compose.services.postgres);
    const clickhouse = environment(compose.services.clickhouse);
    for (const [, service] of metering) {
      const config = configOf(service);
      if (config.DATABASE_URL) {
        const url = new URL(config.DATABASE_URL as string);
        expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
        expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
        expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
      }
      if (config.CLICKHOUSE_URL) {
        expect(config.CLICKHOUSE_USER).toBe(clickhouse.CLICKHOUSE_USER);
        expect(config.CLICKHOUSE_PASSWORD).toBe(clickhouse.CLICKHOUSE_PASSWORD);
        expect(config.CLICKHOUSE_DATABASE).toBe(clickhouse.CLICKHOUSE_DB);
      }
    }
  });
});

describe('monitoring (docker/prometheus.yml, docker/grafana/)', () => {
  const prometheus = load(readFileSync(repoPath('docker/prometheus.yml'), 'utf8')) as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
  const long = services.filter(([, service]) => service.build && !isOneShot(service));

  it('runs Prometheus with that file', () => {
    expect(compose.services.prometheus?.volumes).toContain(
      './docker/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it.each(long)(
    'scrapes %s at the METRICS_PORT it serves, on an address other containers reach',
    (name, service) => {
      const config = configOf(service);
      expect(config.METRICS_HOST).toBe('0.0.0.0');
      expect(targets).toContain(`${name}:${config.METRICS_PORT as number}`);
    },
  );

  it('scrapes nothing else', () => {
    expect(targets).toHaveLength(long.length);
  });

  it('ships a Grafana dashboard whose queries name only metrics the code defines', () => {
    const dashboard = JSON.parse(readFileSync(repoPath('docker/grafana/metering.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const defined = readFileSync(repoPath('libs/observability/src/metrics.ts'), 'utf8');
    const names = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => t.expr.match(/metering_[a-z_]+/g) ?? []),
    );
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const base = name.replace(/^metering_/, '').replace(/_(bucket|sum|count)$/, '');
      const isDefault = /^(process|nodejs)_/.test(base);
      expect(isDefault || defined.includes(`\${p}${base}\``)).toBe(true);
    }
  });
});

/** Dockerfile instructions, continuation lines joined, comments and parser directives dropped. */
function instructions(): { op: string; args: string[] }[] {
  const text = readFileSync(repoPath('Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [op, ...args] = line.split(/\s+/);
      return { op: op.toUpperCase(), args };
    });
}

describe('Dockerfile', () => {
  const all = instructions();
  const stages: { name?: string; lines: { op: string; args: string[] }[] }[] = [];
  for (const line of all) {
    if (line.op === 'FROM') {
      const as = line.args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({ name: as >= 0 ? line.args[as + 1] : undefined, lines: [] });
    } else {
      stages.at(-1)?.lines.push(line);
    }
  }
  const runtime = stages.at(-1)?.lines ?? [];
  const workdir = (lines: { op: string; args: string[] }[]) =>
    lines.filter((l) => l.op === 'WORKDIR').at(-1)?.args[0] ?? '/';

  /** Absolute destination → [stage or "context", source] of the final stage's single-source COPYs. */
  function copies(): Map<string, [string, string]> {
    const result = new Map<string, [string, string]>();
    let dir = '/';
    for (const line of runtime) {
      if (line.op === 'WORKDIR') dir = path.posix.resolve(dir, line.args[0]);
      if (line.op !== 'COPY') continue;
      const from = line.args.find((a) => a.startsWith('--from='))?.slice('--from='.length) ?? 'context';
      const paths = line.args.filter((a) => !a.startsWith('--'));
      const dest = path.posix.resolve(dir, paths[paths.length - 1]);
      // Several sources, or a destination ending in "/": each lands inside it under its own name.
      const into = paths.length > 2 || paths[paths.length - 1].endsWith('/');
      for (const source of paths.slice(0, -1)) {
        result.set(into ? path.posix.join(dest, path.posix.basename(source)) : dest, [from, source]);
      }
    }
    return result;
  }

  it('has a build stage and a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('never runs npm ci (it rejects a lockfile written on another platform)', () => {
    expect(all.filter((l) => l.op === 'RUN' && /\bnpm\s+ci\b/.test(l.args.join(' ')))).toEqual([]);
  });

  it('builds dist/ in a stage that has the dev dependencies', () => {
    const copy = copies().get(path.posix.join(workdir(runtime), 'dist'));
    expect(copy).toBeDefined();
    const [from, source] = copy!;
    const build = stages.find((s) => s.name === from);
    expect(build).toBeDefined();
    const runs = build!.lines.filter((l) => l.op === 'RUN').map((l) => l.args.join(' '));
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs.some((r) => r.includes('npm run build'))).toBe(true);
    expect(source).toBe(path.posix.join(workdir(build!.lines), 'dist'));
  });

  it('installs only the production dependencies in the runtime stage', () => {
    const runs = runtime.filter((l) => l.op === 'RUN').map((l) => l.args.join(' '));
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r) && r.includes('--omit=dev'))).toBe(true);
  });

  it.each(RUNTIME_FILES)('copies %s from the build context to the same path in the image', (file) => {
    expect(existsSync(repoPath(file))).toBe(true);
    expect(copies().get(path.posix.join(workdir(runtime), file))).toEqual(['context', file]);
  });

  it('keeps those files in the build context (.dockerignore)', () => {
    const ignored = readFileSync(repoPath('.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''))
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
    for (const file of RUNTIME_FILES) {
      for (const pattern of ignored) expect(file === pattern || file.startsWith(`${pattern}/`)).toBe(false);
    }
  });
});
