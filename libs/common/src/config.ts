import { z } from 'zod';
import { StartupError } from '../../observability/src/listen-error';
import { LOG_LEVELS } from '../../observability/src/logger';
import { tlsEnv } from './tls';

/** Parses one service's environment once at boot; every invalid key is listed, then the process stops. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  service: string,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`,
  );
  throw new StartupError(`${service}: invalid configuration\n${problems.join('\n')}`);
}

/** Shared field shapes. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
/** Interface a server binds: every interface (containers) unless a config asks for less. */
export const host = z.string().min(1).default('0.0.0.0');
/** Local only: the default of `npm start`, whose embedded stores are meant for one machine. */
export const localHost = z.string().min(1).default('127.0.0.1');
export const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));
export const address = (fallback: string) =>
  z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'expected host:port')
    .default(fallback);
export const dir = (fallback: string) => z.string().min(1).default(fallback);

/**
 * How long ingestion and aggregation keep what the registry told them (SPEC §2.2 reads it per
 * event). A subscription that was found is kept longer than the rest: events sent with its id use
 * only its identity (lago id, customer), and with many subscriptions and a short TTL nearly every
 * event would wait for a registry call. Unknown ids, metric lists and customers' subscriptions
 * (whose activity windows decide rule 2) keep the short TTL.
 */
export const registryCacheEnv = {
  // How long an unused definition stays cached (memory only: a cached one is checked against the
  // organization's registry version on every call, libs/contract/src/registry-freshness.ts).
  REGISTRY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  REGISTRY_SUBSCRIPTION_TTL_MS: z.coerce.number().int().min(0).default(60_000),
};

export const clickHouseEnv = {
  CLICKHOUSE_URL: optionalUrl,
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().optional(),
  CLICKHOUSE_DATA_DIR: dir('./data/clickhouse'),
};

/**
 * Who may store an idempotency key (SPEC §2.2 rule 3; services/ingestion/src/claims/):
 * `local` (this process's ledger and ClickHouse's key index: one writing process) or `postgres`
 * (the `event_claims` table shared by every ingestion process; CLAIMS_DATABASE_URL, default
 * DATABASE_URL). CLAIM_LEASE_MS: how long a claim is its owner's alone.
 */
export const claimsEnv = {
  DEDUPE_CLAIMS: z.enum(['local', 'postgres']).optional(),
  CLAIMS_DATABASE_URL: optionalUrl,
  CLAIM_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
};

/**
 * DEDUPE_CLAIMS, or its default: `postgres` whenever a ClickHouse server is configured (several
 * processes can write it), `local` on the embedded store (one process can open it).
 */
/**
 * The one combination refused: local claims with a ClickHouse server. Usage SQL trusts every key
 * to be stored once (UsageQuery.checkDuplicates), and on a server that holds only with the claim
 * every ingestion process shares.
 */
export function refuseLocalClaimsOnServer(
  env: { DEDUPE_CLAIMS?: 'local' | 'postgres'; CLICKHOUSE_URL?: string },
  context: z.RefinementCtx,
): void {
  if (env.CLICKHOUSE_URL && env.DEDUPE_CLAIMS === 'local') {
    context.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['DEDUPE_CLAIMS'],
      message:
        'local needs the embedded store (one writing process); with CLICKHOUSE_URL every ingestion process must share the postgres claim',
    });
  }
}

export function dedupeClaims(env: {
  DEDUPE_CLAIMS?: 'local' | 'postgres';
  CLICKHOUSE_URL?: string;
}): 'local' | 'postgres' {
  return env.DEDUPE_CLAIMS ?? (env.CLICKHOUSE_URL ? 'postgres' : 'local');
}

/**
 * USAGE_DUPLICATE_CHECK: make every usage question check for a transaction_id stored twice (and
 * ask again with the dedupe when one is). Only for ClickHouse data written before ingestion claimed
 * every key; `npm run audit:duplicates` tells whether a deployment needs it. Default false.
 */
export const usageEnv = {
  USAGE_DUPLICATE_CHECK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Metric-aware aggregates (services/aggregation/src/rollup/dims-activation.ts): the margin before
   * a new definition's `since` (covers its insert and clock skew between processes), and the settle
   * time after it before the backfill — at least half of ingestion's CLAIM_LEASE_MS (how long an
   * insert may take to become visible), plus the skew.
   */
  USAGE_ROLLUP_MARGIN_MS: z.coerce.number().int().min(0).default(2_000),
  USAGE_ROLLUP_SETTLE_MS: z.coerce.number().int().min(0).default(15_000),
};

export const postgresEnv = {
  DATABASE_URL: optionalUrl,
  PGLITE_DATA_DIR: dir('./data/postgres'),
  PGLITE_PORT: port(0),
};

/**
 * What every long-running process reads for operating it: LOG_LEVEL; the Prometheus endpoint
 * (METRICS_HOST, METRICS_PORT: one port per process, so services run alone do not collide); the
 * drain bound at shutdown (SHUTDOWN_GRACE_MS); TLS (tls.ts).
 */
export const operationsEnv = (metricsPort: number) => ({
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: port(metricsPort),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  ...tlsEnv,
});
