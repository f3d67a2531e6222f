import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { RegistryClient } from '../../../libs/contract/src/registry-client';
import type { UsageMetrics } from '../../../libs/observability/src/metrics';
import { AggregationController } from './aggregation.controller';
import { UsageRepository } from './usage.repository';
import { UsageService, type UsageOptions } from './usage.service';

@Module({})
export class AggregationModule {
  static forRoot(
    clickhouse: ClickHouseClient,
    registry: RegistryClient,
    metrics: UsageMetrics,
    usage: UsageOptions = {},
  ): DynamicModule {
    return {
      module: AggregationModule,
      controllers: [AggregationController],
      providers: [
        {
          provide: UsageService,
          useValue: new UsageService(new UsageRepository(clickhouse), metrics, { rollups: true, ...usage }),
        },
        { provide: RegistryClient, useValue: registry },
      ],
    };
  }
}
