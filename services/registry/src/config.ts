import { z } from 'zod';
import { host, operationsEnv, parseConfig, port, postgresEnv } from '../../../libs/common/src/config';

const schema = z.object({
  REGISTRY_HOST: host,
  REGISTRY_PORT: port(50051),
  ...postgresEnv,
  ...operationsEnv(9465),
});

export type RegistryConfig = z.infer<typeof schema>;

export function registryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  return parseConfig(schema, env, 'registry');
}
