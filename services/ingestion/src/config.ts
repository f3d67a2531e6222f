import { z } from 'zod';
import { address, clickHouseEnv, host, parseConfig, port } from '../../../libs/common/src/config';

const schema = z.object({
  INGESTION_HOST: host,
  INGESTION_PORT: port(50052),
  REGISTRY_ADDRESS: address('127.0.0.1:50051'),
  /** How long metric definitions and subscriptions are cached (SPEC §2.2 reads them per event). */
  REGISTRY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(1000),
  ...clickHouseEnv,
});

export type IngestionConfig = z.infer<typeof schema>;

export function ingestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return parseConfig(schema, env, 'ingestion');
}
