import { Pool } from 'pg';
import { mkdirSync } from 'node:fs';
import { repoPath } from '../../common/src/repo-path';
import { listenError } from '../../observability/src/listen-error';
import { lockEmbedded } from './embedded-lock';
import { inTransaction } from './transaction';
import { migrate, readMigrations, type Migration, type MigrationTarget } from '../../common/src/migrations';

export interface PostgresConfig {
  /** A server; unset: embedded PGlite served on a local socket. */
  url?: string;
  /** Embedded PGlite data directory. */
  dataDir: string;
  /** Where the embedded server listens (0: any free port). */
  embeddedPort?: number;
  /**
   * Told when an idle pooled connection fails (the server restarted, the network dropped it). The
   * pool replaces the connection on the next query; without a listener `pg` would re-throw the
   * error as an uncaught exception and end the process. Default: one line on stderr.
   */
  onIdleError?: (error: Error) => void;
}

/** A pool that survives its idle connections failing (see PostgresConfig.onIdleError). */
function newPool(connectionString: string, config: PostgresConfig): Pool {
  const pool = new Pool({ connectionString, max: POOL_SIZE });
  const report =
    config.onIdleError ??
    ((error: Error) => console.error(`postgres: idle connection lost: ${error.message}`));
  pool.on('error', report);
  return pool;
}

export interface Postgres {
  readonly pool: Pool;
  /** Where `pg` connects, for the logs (no password). */
  readonly description: string;
  close(): Promise<void>;
}

const POOL_SIZE = 10;

/**
 * The only way the product opens PostgreSQL: `pg` against DATABASE_URL, or against embedded PGlite
 * served over @electric-sql/pglite-socket, so the same driver and SQL run in both cases.
 */
export async function openPostgres(config: PostgresConfig): Promise<Postgres> {
  if (config.url) {
    const pool = newPool(config.url, config);
    const url = new URL(config.url);
    return { pool, description: `PostgreSQL ${url.host}${url.pathname}`, close: () => pool.end() };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const lock = lockEmbedded(config.dataDir);
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(config.dataDir);
  // maxConnections defaults to 1, which would cut every pooled connection but the first.
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: config.embeddedPort ?? 0,
    maxConnections: POOL_SIZE + 5,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    lock.release();
    throw listenError(error, 'embedded PostgreSQL', '127.0.0.1', config.embeddedPort ?? 0, 'PGLITE_PORT');
  }
  const address = server.getServerConn();
  lock.publish(address);
  const pool = newPool(`postgres://postgres@${address}/postgres`, config);
  return {
    pool,
    description: `embedded PostgreSQL (PGlite) in ${config.dataDir}, served on ${address}`,
    close: async () => {
      await pool.end();
      await server.stop();
      await db.close();
      lock.release();
    },
  };
}

/** One numbered migration set and the table recording what of it ran (a fixed identifier, never input). */
interface MigrationSet {
  dir: string;
  table: string;
  /** pg_advisory_xact_lock key: two processes migrating one set at once apply each version once. */
  lock: number;
}

const REGISTRY_MIGRATIONS: MigrationSet = {
  dir: 'libs/postgres/migrations',
  table: 'schema_migrations',
  lock: 727274,
};

/** Ingestion's claim store (services/ingestion/migrations/postgres): its own numbering and bookkeeping. */
export const CLAIM_MIGRATIONS: MigrationSet = {
  dir: 'services/ingestion/migrations/postgres',
  table: 'ingestion_schema_migrations',
  lock: 727275,
};

class PostgresMigrationTarget implements MigrationTarget {
  readonly store = 'postgres';
  constructor(
    private readonly pool: Pool,
    private readonly set: MigrationSet,
  ) {}

  async appliedVersions(): Promise<Set<string>> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.set.table} (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await this.pool.query<{ version: string }>(`SELECT version FROM ${this.set.table}`);
    return new Set(rows.map((r) => r.version));
  }

  async apply(migration: Migration): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Two services starting together: the second waits, then finds the version recorded.
      await client.query('SELECT pg_advisory_xact_lock($1)', [this.set.lock]);
      const { rowCount } = await client.query(`SELECT 1 FROM ${this.set.table} WHERE version = $1`, [
        migration.version,
      ]);
      if (rowCount) return;
      for (const statement of migration.statements) await client.query(statement);
      await client.query(`INSERT INTO ${this.set.table} (version) VALUES ($1)`, [migration.version]);
    });
  }
}

export function migratePostgres(
  pool: Pool,
  log?: (line: string) => void,
  set: MigrationSet = REGISTRY_MIGRATIONS,
): Promise<string[]> {
  return migrate(new PostgresMigrationTarget(pool, set), readMigrations(repoPath(set.dir)), log);
}
