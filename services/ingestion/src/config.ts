import { z } from 'zod';
import {
  address,
  clickHouseEnv,
  host,
  operationsEnv,
  parseConfig,
  port,
  registryCacheEnv,
} from '../../../libs/common/src/config';

const schema = z.object({
  INGESTION_HOST: host,
  INGESTION_PORT: port(50052),
  REGISTRY_ADDRESS: address('127.0.0.1:50051'),
  ...registryCacheEnv,
  ...operationsEnv(9466),
  ...clickHouseEnv,
});

export type IngestionConfig = z.infer<typeof schema>;

export function ingestionConfig(env: NodeJS.ProcessEnv = process.env): IngestionConfig {
  return parseConfig(schema, env, 'ingestion');
}
