import type { Pool } from 'pg';
import { startGrpcApp, type GrpcApp, type ServeOptions } from '../../../libs/common/src/grpc-app';
import { SERVICE_NAMES } from '../../../libs/contract/src/grpc-options';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyResolver } from './api-key.resolver';
import { OrganizationRepository } from './organization.repository';
import { RegistryModule } from './registry.module';

/** The registry's gRPC app on an open, migrated pool. */
export function startRegistry(pool: Pool, serve: ServeOptions): Promise<GrpcApp> {
  const apiKeys = new ApiKeyRepository(pool);
  const resolver = new ApiKeyResolver(new OrganizationRepository(pool), apiKeys);
  return startGrpcApp({
    ...serve,
    module: RegistryModule.forRoot(pool, apiKeys),
    serviceName: SERVICE_NAMES.registry,
    shortName: 'registry',
    portVariable: 'REGISTRY_PORT',
    organizations: resolver,
  });
}
