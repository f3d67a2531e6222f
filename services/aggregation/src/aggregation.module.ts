import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { RegistryClient } from '../../../libs/contract/src/registry-client';
import type { RollupMetrics, UsageMetrics } from '../../../libs/observability/src/metrics';
import { AggregationController } from './aggregation.controller';
import {
  DEFAULT_DIMS_OPTIONS,
  DimsRollups,
  type ActivationLog,
  type DimsRollupOptions,
} from './rollup/dims-activation';
import { DimsRepository } from './rollup/dims.repository';
import { UsageRepository } from './usage.repository';
import { UsageService, type UsageOptions } from './usage.service';

/** UsageOptions, plus the timings of the metric-aware aggregates' activations (default: DEFAULT_DIMS_OPTIONS). */
export interface AggregationUsageOptions extends UsageOptions {
  rollupTimings?: Partial<DimsRollupOptions>;
}

@Module({})
export class AggregationModule {
  static forRoot(
    clickhouse: ClickHouseClient,
    registry: RegistryClient,
    metrics: UsageMetrics & RollupMetrics,
    usage: AggregationUsageOptions = {},
    log?: ActivationLog,
  ): DynamicModule {
    const { rollupTimings, ...options } = usage;
    const dims =
      options.dims ??
      new DimsRollups(
        new DimsRepository(clickhouse),
        { ...DEFAULT_DIMS_OPTIONS, ...rollupTimings },
        log,
        metrics,
      );
    return {
      module: AggregationModule,
      controllers: [AggregationController],
      providers: [
        {
          provide: UsageService,
          useValue: new UsageService(new UsageRepository(clickhouse), metrics, {
            rollups: true,
            dims,
            ...options,
          }),
        },
        { provide: RegistryClient, useValue: registry },
        // The activations behind UsageService (to await them: shutdown, tests, the bench).
        { provide: DimsRollups, useValue: dims },
      ],
    };
  }
}
