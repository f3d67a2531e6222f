import { freePort } from '../../libs/testing/src/free-port';
import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../../services/all-in-one/src/stack';
import { OrganizationRepository } from '../../services/registry/src/organization.repository';
import { meteringClients, type MeteringClients } from '../../libs/testing/src/clients';
import { FaultyClickHouse } from '../../libs/testing/src/faulty-clickhouse';
import { FaultyClaims } from '../../libs/testing/src/faulty-claims';
import { registryCacheEnv } from '../../libs/common/src/config';
import { registryCacheTtls } from '../../libs/contract/src/registry-client';
import { z } from 'zod';

/** The registry cache settings a deployment gets when it sets none. */
const SHIPPED_CACHE = registryCacheTtls(z.object(registryCacheEnv).parse({}));
import type { TlsConfig } from '../../libs/common/src/tls';
import { quietObservability, type Observability } from '../../libs/observability/src/observability';

/**
 * A PostgreSQL for one test file: a fresh database on DATABASE_URL's server (dropped afterwards), or
 * embedded PGlite in a temporary directory when DATABASE_URL is unset.
 */
export async function testDatabase(
  dir: string,
): Promise<{ url?: string; dataDir: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = path.join(dir, 'postgres');
  if (!serverUrl) return { dataDir, drop: async () => {} };
  const name = `metering_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestStack {
  stack: Stack;
  /** Fails chosen ClickHouse calls of ingestion (faults: true; of replica 0 only), else null. */
  faults: FaultyClickHouse | null;
  /** Fails chosen claim-store statements (faults: true with postgres claims; of replica 0 only), else null. */
  claimFaults: FaultyClaims | null;
  /** One client set per ingestion replica (`ingestionReplicas`); the first is `clients`. */
  replicas: MeteringClients[];
  /** Where the embedded stores keep their data: pass the stack as `reuse` to restart on it. */
  dir: string;
  database: Awaited<ReturnType<typeof testDatabase>>;
  clients: MeteringClients;
  /** Stops the services and closes the stores, keeping their data (then startTestStack({ reuse })). */
  restart(): Promise<void>;
  /** A new organization and its API key. */
  newOrganization(name?: string): Promise<{ id: string; apiKey: string }>;
  stop(): Promise<void>;
}

/** The whole system, booted in this process on the embedded ClickHouse and a test database. */
export async function startTestStack(
  options: {
    registryCacheTtlMs?: number;
    reuse?: TestStack;
    /** Default: a silent logger and fresh metrics. */
    observability?: Observability;
    /** Serve /metrics on a free port. */
    metrics?: boolean;
    tls?: TlsConfig;
    shutdownGraceMs?: number;
    /** Fail chosen ClickHouse calls (and claim statements) of ingestion (TestStack.faults, claimFaults). */
    faults?: boolean;
    /** Who may store a key: `local` (default) or the shared `postgres` claim, on the test database. */
    claims?: 'local' | 'postgres';
    /** The claims' lease with `claims: 'postgres'` (default 2,000 ms: tests wait one out). */
    claimLeaseMs?: number;
    /** Ingestion apps on the one ClickHouse, each with its own pipeline (default 1). */
    ingestionReplicas?: number;
  } = {},
): Promise<TestStack> {
  const dir = options.reuse?.dir ?? mkdtempSync(path.join(tmpdir(), 'metering-test-'));
  const database = options.reuse?.database ?? (await testDatabase(dir));
  const ports = { registry: await freePort(), ingestion: await freePort(), aggregation: await freePort() };
  Logger.overrideLogger(['error']);
  const faults = options.faults ? new FaultyClickHouse() : null;
  const claimFaults = options.faults && options.claims === 'postgres' ? new FaultyClaims() : null;
  const replicaPorts = await Promise.all(
    Array.from({ length: (options.ingestionReplicas ?? 1) - 1 }, () => freePort()),
  );
  const stack = await startStack({
    host: '127.0.0.1',
    ports,
    registryCache: {
      // The shipped defaults unless a test asks otherwise: freshness must not depend on them.
      ttlMs: options.registryCacheTtlMs ?? SHIPPED_CACHE.ttlMs,
      subscriptionTtlMs: options.registryCacheTtlMs ?? SHIPPED_CACHE.subscriptionTtlMs,
    },
    clickhouse: { dataDir: path.join(dir, 'clickhouse') },
    postgres: { url: database.url, dataDir: database.dataDir },
    observability: options.observability ?? quietObservability(),
    metrics: options.metrics ? { host: '127.0.0.1', port: 0 } : undefined,
    tls: options.tls,
    shutdownGraceMs: options.shutdownGraceMs,
    ingestionStore: faults
      ? (clickhouse, replica) => (replica === 0 ? faults.wrap(clickhouse) : clickhouse)
      : undefined,
    claims:
      options.claims === 'postgres'
        ? { mode: 'postgres', leaseMs: options.claimLeaseMs ?? 2000 }
        : { mode: 'local' },
    ingestionReplicaPorts: replicaPorts,
    claimsStore: claimFaults ? (sql, replica) => (replica === 0 ? claimFaults.wrap(sql) : sql) : undefined,
  });
  const clients = meteringClients(stack.addresses);
  const replicas = [
    clients,
    ...stack.ingestionReplicas
      .slice(1)
      .map((ingestion) => meteringClients({ ...stack.addresses, ingestion })),
  ];
  const organizations = new OrganizationRepository(stack.postgres.pool);
  return {
    stack,
    faults,
    claimFaults,
    replicas,
    dir,
    database,
    clients,
    newOrganization: async (name = 'Test organization') => {
      const { organization, apiKey } = await organizations.create(name);
      return { id: organization.id, apiKey };
    },
    stop: async () => {
      for (const c of replicas) c.close();
      await stack.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      for (const c of replicas) c.close();
      await stack.close();
    },
  };
}
