import { z } from 'zod';
import {
  claimsEnv,
  clickHouseEnv,
  dir,
  localHost,
  operationsEnv,
  parseConfig,
  port,
  postgresEnv,
  refuseLocalClaimsOnServer,
  registryCacheEnv,
  usageEnv,
} from '../../../libs/common/src/config';

const schema = z
  .object({
    /** Where the three servers bind; local only by default (the embedded stores are for one machine). */
    HOST: localHost,
    REGISTRY_PORT: port(50051),
    INGESTION_PORT: port(50052),
    AGGREGATION_PORT: port(50053),
    ...registryCacheEnv,
    ...operationsEnv(9464),
    /** Where the development API key is kept (embedded mode). */
    DEV_KEY_FILE: dir('./data/dev-api-key'),
    ...clickHouseEnv,
    ...postgresEnv,
    PGLITE_PORT: port(54320),
    ...claimsEnv,
    ...usageEnv,
  })
  .superRefine(refuseLocalClaimsOnServer);

export type StackEnv = z.infer<typeof schema>;

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  return parseConfig(schema, env, 'metering');
}
