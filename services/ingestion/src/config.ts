import { z } from 'zod';
import {
  address,
  claimsEnv,
  clickHouseEnv,
  dedupeClaims,
  optionalUrl,
  host,
  operationsEnv,
  parseConfig,
  port,
  refuseLocalClaimsOnServer,
  registryCacheEnv,
} from '../../../libs/common/src/config';

const schema = z
  .object({
    INGESTION_HOST: host,
    INGESTION_PORT: port(50052),
    REGISTRY_ADDRESS: address('127.0.0.1:50051'),
    ...registryCacheEnv,
    ...operationsEnv(9466),
    ...clickHouseEnv,
    ...claimsEnv,
    /** The claims database when CLAIMS_DATABASE_URL is unset. */
    DATABASE_URL: optionalUrl,
  })
  .superRefine((env, context) => {
    refuseLocalClaimsOnServer(env, context);
    if (dedupeClaims(env) === 'postgres' && !env.CLAIMS_DATABASE_URL && !env.DATABASE_URL) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['CLAIMS_DATABASE_URL'],
        message: 'required (or DATABASE_URL) with DEDUPE_CLAIMS=postgres, the default with CLICKHOUSE_URL',
      });
    }
  });

export type IngestionConfig = z.infer<typeof schema>;

export function ingestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return parseConfig(schema, env, 'ingestion');
}
