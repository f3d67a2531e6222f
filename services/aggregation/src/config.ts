import { z } from 'zod';
import {
  address,
  clickHouseEnv,
  host,
  operationsEnv,
  parseConfig,
  port,
  registryCacheEnv,
  usageEnv,
} from '../../../libs/common/src/config';

const schema = z.object({
  AGGREGATION_HOST: host,
  AGGREGATION_PORT: port(50053),
  REGISTRY_ADDRESS: address('127.0.0.1:50051'),
  ...registryCacheEnv,
  ...operationsEnv(9467),
  ...clickHouseEnv,
  ...usageEnv,
});

export type AggregationConfig = z.infer<typeof schema>;

export function aggregationConfig(env: NodeJS.ProcessEnv = process.env): AggregationConfig {
  return parseConfig(schema, env, 'aggregation');
}
