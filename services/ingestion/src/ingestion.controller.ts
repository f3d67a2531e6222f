import { Controller } from '@nestjs/common';
import type { Metadata, ServerDuplexStream } from '@grpc/grpc-js';
import { concatMap, from, map, type Observable } from 'rxjs';
import { StreamFlow } from '../../../libs/common/src/stream-flow';
import { callerOf } from '../../../libs/common/src/auth';
import { callerCredentials, RegistryClient } from '../../../libs/contract/src/registry-client';
import type { Event } from '../../../libs/contract/src/generated/nest/metering/v1/common';
import {
  EventResult_Status,
  IngestionServiceControllerMethods,
  type GetEventRequest,
  type ListEventsRequest,
  type ListEventsResponse,
  type IngestEventRequest,
  type IngestEventResponse,
  type IngestEventsRequest,
  type IngestEventsResponse,
  type IngestionServiceController,
} from '../../../libs/contract/src/generated/nest/metering/v1/ingestion';
import type { StoredEvent } from './event';
import { EventQueryService } from './event-query.service';
import {
  IngestionService,
  type CallerRegistry,
  type EventOutcome,
  type PreparedRequest,
} from './ingestion.service';
import type { EventInput } from './steps/validate.step';

/** Requests of one stream in the pipeline at once. */
const MAX_PENDING = 4;

/**
 * A batch's results (SPEC §2.2): each event slim (its identifiers only) unless the request set
 * `return_events`, so that the answer to any 10,000-event batch fits a default 4 MiB message.
 */
export function toResponse(outcomes: EventOutcome[], returnEvents = false): IngestEventsResponse {
  const eventOf = returnEvents ? toEvent : toSlimEvent;
  return {
    results: outcomes.map((o, index) =>
      o.status === 'REJECTED'
        ? { index, status: EventResult_Status.REJECTED, error: o.error.message, warnings: o.warnings }
        : {
            index,
            status: EventResult_Status[o.status],
            event: eventOf(o.event),
            error: '',
            warnings: o.warnings,
          },
    ),
  };
}

/** The identifiers of a stored event, without properties and precise_total_amount_cents. */
export function toSlimEvent(e: StoredEvent): Event {
  return { ...toEvent(e), properties: undefined, preciseTotalAmountCents: '' };
}

/** A stored event as the contract's Event; `warnings` only when they were read back with it. */
export function toEvent(e: StoredEvent, warnings: string[] = []): Event {
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
    warnings,
  };
}

/** A promise's outcome as a value: it never rejects, so it may wait unobserved. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function unwrap<T>(settled: Settled<T>): T {
  if (settled.ok) return settled.value;
  throw settled.error;
}

/** gRPC handlers only: request → pipeline → response. */
@Controller()
@IngestionServiceControllerMethods()
export class IngestionController implements IngestionServiceController {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly registry: RegistryClient,
    private readonly queries: EventQueryService,
  ) {}

  async getEvent(request: GetEventRequest, metadata: Metadata): Promise<Event> {
    const e = await this.queries.get(
      callerOf(metadata).id,
      request.externalSubscriptionId,
      request.transactionId,
    );
    return toEvent(e, e.warnings);
  }

  async listEvents(request: ListEventsRequest, metadata: Metadata): Promise<ListEventsResponse> {
    const page = await this.queries.list(callerOf(metadata).id, request);
    return { events: page.events.map((e) => toEvent(e, e.warnings)), nextPageToken: page.nextPageToken };
  }

  async ingestEvent(request: IngestEventRequest, metadata: Metadata): Promise<IngestEventResponse> {
    const [outcome] = await this.ingest(metadata, [request.event ?? null]);
    if (outcome.status === 'REJECTED') throw outcome.error;
    return {
      event: toEvent(outcome.event, outcome.event.warnings),
      duplicate: outcome.status === 'DUPLICATE',
      warnings: outcome.warnings,
    };
  }

  async ingestEvents(request: IngestEventsRequest, metadata: Metadata): Promise<IngestEventsResponse> {
    return toResponse(await this.ingest(metadata, request.events ?? []), request.returnEvents);
  }

  /**
   * One response per request, in request order. Up to MAX_PENDING requests of a stream are in the
   * pipeline at once (prepared concurrently, committed in order, so the first of a key still wins);
   * past that the stream stops reading until responses are answered and written (StreamFlow).
   *
   * A request that fails as a whole (the store unavailable, the registry unreachable) ends the stream
   * with that status once the responses before it are written; the client resends what was not
   * answered (a resent event that was stored meanwhile is answered DUPLICATE: rule 3). No promise of
   * the stream is ever left rejected without a handler: the requests still in flight behind a failed
   * one settle into values that nobody reads (an unhandled rejection would end the process).
   */
  streamEvents(
    requests: Observable<IngestEventsRequest>,
    metadata: Metadata,
    call?: ServerDuplexStream<unknown, unknown>,
  ): Observable<IngestEventsResponse> {
    const flow = new StreamFlow(call, MAX_PENDING);
    let committed: Promise<unknown> = Promise.resolve();
    return requests.pipe(
      map((request) => {
        flow.received();
        const prepared = this.prepare(metadata, request.events ?? []);
        // Handled here and below: it may fail while an earlier request is still being committed.
        prepared.catch(() => undefined);
        const started = committed.then(() => prepared).then((p) => ({ outcomes: this.ingestion.commit(p) }));
        committed = started.catch(() => undefined);
        return settle(
          started.then((s) => s.outcomes).then((outcomes) => toResponse(outcomes, request.returnEvents)),
        ).finally(() => flow.answered());
      }),
      concatMap((answer) => from(answer).pipe(map(unwrap))),
    );
  }

  private async ingest(metadata: Metadata, events: (EventInput | null)[]): Promise<EventOutcome[]> {
    return this.ingestion.commit(await this.prepare(metadata, events));
  }

  private prepare(metadata: Metadata, events: (EventInput | null)[]): Promise<PreparedRequest> {
    const caller = callerCredentials(metadata);
    const registry: CallerRegistry = {
      metrics: () => this.registry.metricsOf(caller),
      subscription: (id) => this.registry.subscription(caller, id),
      subscriptionsOfCustomer: (id) => this.registry.subscriptionsOfCustomer(caller, id),
    };
    return this.ingestion.prepare(caller.organization.id, registry, events);
  }
}
