import { z } from 'zod';
import {
  clickHouseEnv,
  dir,
  host,
  parseConfig,
  port,
  postgresEnv,
  registryCacheEnv,
} from '../../../libs/common/src/config';

const schema = z.object({
  HOST: host,
  REGISTRY_PORT: port(50051),
  INGESTION_PORT: port(50052),
  AGGREGATION_PORT: port(50053),
  ...registryCacheEnv,
  /** Where the development API key is kept (embedded mode). */
  DEV_KEY_FILE: dir('./data/dev-api-key'),
  ...clickHouseEnv,
  ...postgresEnv,
  PGLITE_PORT: port(54320),
});

export type StackEnv = z.infer<typeof schema>;

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  return parseConfig(schema, env, 'metering');
}
