import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { concatMap, from, type Observable } from 'rxjs';
import { callerCredentials, RegistryClient } from '../../../libs/contract/src/registry-client';
import type { Event } from '../../../libs/contract/src/generated/nest/metering/v1/common';
import {
  EventResult_Status,
  IngestionServiceControllerMethods,
  type IngestEventRequest,
  type IngestEventResponse,
  type IngestEventsRequest,
  type IngestEventsResponse,
  type IngestionServiceController,
} from '../../../libs/contract/src/generated/nest/metering/v1/ingestion';
import type { StoredEvent } from './event';
import { IngestionService, type CallerRegistry } from './ingestion.service';

function toEvent(e: StoredEvent): Event {
  return {
    transactionId: e.transactionId,
    externalSubscriptionId: e.externalSubscriptionId,
    externalCustomerId: e.externalCustomerId,
    code: e.code,
    timestamp: e.timestamp,
    properties: e.properties,
    preciseTotalAmountCents: e.preciseTotalAmountCents ?? '',
    lagoId: e.lagoId,
    lagoSubscriptionId: e.lagoSubscriptionId,
    lagoCustomerId: e.lagoCustomerId,
    createdAt: new Date(Math.floor(e.createdAtUs / 1000)),
  };
}

/** gRPC handlers only: request → pipeline → response. */
@Controller()
@IngestionServiceControllerMethods()
export class IngestionController implements IngestionServiceController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly registry: RegistryClient,
  ) {}

  async ingestEvent(request: IngestEventRequest, metadata: Metadata): Promise<IngestEventResponse> {
    const [outcome] = await this.ingest(metadata, [request.event ?? null]);
    if (outcome.status === 'REJECTED') throw outcome.error;
    return {
      event: toEvent(outcome.event),
      duplicate: outcome.status === 'DUPLICATE',
      warnings: outcome.warnings,
    };
  }

  async ingestEvents(request: IngestEventsRequest, metadata: Metadata): Promise<IngestEventsResponse> {
    const outcomes = await this.ingest(metadata, request.events ?? []);
    return {
      results: outcomes.map((o, index) =>
        o.status === 'REJECTED'
          ? { index, status: EventResult_Status.REJECTED, error: o.error.message, warnings: o.warnings }
          : {
              index,
              status: EventResult_Status[o.status],
              event: toEvent(o.event),
              error: '',
              warnings: o.warnings,
            },
      ),
    };
  }

  /** One response per request, in request order. */
  streamEvents(
    requests: Observable<IngestEventsRequest>,
    metadata: Metadata,
  ): Observable<IngestEventsResponse> {
    return requests.pipe(concatMap((request) => from(this.ingestEvents(request, metadata))));
  }

  private ingest(metadata: Metadata, events: Parameters<IngestionService['ingest']>[2]) {
    const caller = callerCredentials(metadata);
    const registry: CallerRegistry = {
      metrics: () => this.registry.metricsOf(caller),
      subscription: (id) => this.registry.subscription(caller, id),
      subscriptionsOfCustomer: (id) => this.registry.subscriptionsOfCustomer(caller, id),
    };
    return this.ingestion.ingest(caller.organization.id, registry, events);
  }
}
