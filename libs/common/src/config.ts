import { z } from 'zod';

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
  throw new Error(`${service}: invalid configuration\n${problems.join('\n')}`);
}

/** Shared field shapes. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const host = z.string().min(1).default('0.0.0.0');
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

export const clickHouseEnv = {
  CLICKHOUSE_URL: optionalUrl,
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z.string().optional(),
  CLICKHOUSE_DATA_DIR: dir('./data/clickhouse'),
};

export const postgresEnv = {
  DATABASE_URL: optionalUrl,
  PGLITE_DATA_DIR: dir('./data/postgres'),
  PGLITE_PORT: port(0),
};
