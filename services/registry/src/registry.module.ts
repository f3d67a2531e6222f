import { Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import type { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { ExpressionService } from './expression.service';
import { MetricRepository } from './metric.repository';
import { MetricService } from './metric.service';
import { RegistryController } from './registry.controller';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionService } from './subscription.service';

@Module({})
export class RegistryModule {
  /** Dependencies are built here, explicitly, from the one pool the process opened. */
  static forRoot(pool: Pool, apiKeys: ApiKeyRepository): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [RegistryController],
      providers: [
        { provide: MetricService, useValue: new MetricService(new MetricRepository(pool)) },
        { provide: SubscriptionService, useValue: new SubscriptionService(new SubscriptionRepository(pool)) },
        { provide: ExpressionService, useValue: new ExpressionService() },
        { provide: ApiKeyService, useValue: new ApiKeyService(apiKeys) },
      ],
    };
  }
}
