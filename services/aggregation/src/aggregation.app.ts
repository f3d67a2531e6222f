import type { INestMicroservice } from '@nestjs/common';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { startGrpcApp } from '../../../libs/common/src/grpc-app';
import { SERVICE_NAMES } from '../../../libs/contract/src/grpc-options';
import type { RegistryClient } from '../../../libs/contract/src/registry-client';
import { AggregationModule } from './aggregation.module';

/** The aggregation gRPC app on an open, migrated ClickHouse; callers are authenticated by the registry. */
export function startAggregation(
  clickhouse: ClickHouseClient,
  registry: RegistryClient,
  host: string,
  port: number,
): Promise<INestMicroservice> {
  return startGrpcApp({
    module: AggregationModule.forRoot(clickhouse, registry),
    serviceName: SERVICE_NAMES.aggregation,
    host,
    port,
    organizations: registry,
  });
}
