import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { MonotonicClock } from '../../../libs/clickhouse/src/time';
import { RegistryClient } from '../../../libs/contract/src/registry-client';
import { EventQueryService } from './event-query.service';
import type { IngestionMetrics } from '../../../libs/observability/src/metrics';
import { EventRepository } from './event.repository';
import { claimStore, type ClaimsSetting } from './claims/claims';
import { IngestionController } from './ingestion.controller';
import { IngestionService } from './ingestion.service';

@Module({})
export class IngestionModule {
  static forRoot(
    clickhouse: ClickHouseClient,
    registry: RegistryClient,
    metrics: IngestionMetrics,
    claims: ClaimsSetting,
  ): DynamicModule {
    const events = new EventRepository(clickhouse);
    return {
      module: IngestionModule,
      controllers: [IngestionController],
      providers: [
        {
          provide: IngestionService,
          useValue: new IngestionService(
            events,
            new MonotonicClock(),
            metrics,
            claimStore(claims, events, metrics),
          ),
        },
        { provide: EventQueryService, useValue: new EventQueryService(events) },
        { provide: RegistryClient, useValue: registry },
      ],
    };
  }
}
