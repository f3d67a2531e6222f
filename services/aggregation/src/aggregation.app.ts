import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { startGrpcApp, type GrpcApp, type ServeOptions } from '../../../libs/common/src/grpc-app';
import { SERVICE_NAMES } from '../../../libs/contract/src/grpc-options';
import type { RegistryClient } from '../../../libs/contract/src/registry-client';
import { AggregationModule, type AggregationUsageOptions } from './aggregation.module';

/** The aggregation gRPC app on an open, migrated ClickHouse; callers are authenticated by the registry. */
export function startAggregation(
  clickhouse: ClickHouseClient,
  registry: RegistryClient,
  serve: ServeOptions,
  usage: AggregationUsageOptions = {},
): Promise<GrpcApp> {
  return startGrpcApp({
    ...serve,
    module: AggregationModule.forRoot(
      clickhouse,
      registry,
      serve.observability.metrics,
      usage,
      serve.observability.logger,
    ),
    serviceName: SERVICE_NAMES.aggregation,
    shortName: 'aggregation',
    portVariable: 'AGGREGATION_PORT',
    organizations: registry,
  });
}
