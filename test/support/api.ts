import { status, type ServiceError } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import {
  AggregationType,
  type EventInput,
} from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  BillableMetricInput,
  CreateBillableMetricRequest,
  UpsertSubscriptionRequest,
  type Subscription,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import {
  IngestEventRequest,
  IngestEventsRequest,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { GetUsageRequest } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import type { TestStack } from './test-stack';

/** Short, typed calls for e2e tests: every one goes through the real gRPC API. */
export function api(t: TestStack, apiKey: string) {
  return {
    createMetric: (metric: Partial<BillableMetricInput>) =>
      unary(
        t.clients.registry,
        'createBillableMetric',
        CreateBillableMetricRequest.fromPartial({
          metric: {
            ...metric,
            aggregationType: metric.aggregationType ?? AggregationType.COUNT_AGG,
            name: metric.name ?? metric.code,
          },
        }),
        apiKey,
      ),
    upsertSubscription: (subscription: Partial<Subscription>) =>
      unary(
        t.clients.registry,
        'upsertSubscription',
        UpsertSubscriptionRequest.fromPartial({ subscription }),
        apiKey,
      ),
    ingest: (event: Partial<EventInput>) =>
      unary(t.clients.ingestion, 'ingestEvent', IngestEventRequest.fromPartial({ event }), apiKey),
    ingestBatch: (events: Partial<EventInput>[], returnEvents = false) =>
      unary(
        t.clients.ingestion,
        'ingestEvents',
        IngestEventsRequest.fromPartial({ events, returnEvents }),
        apiKey,
      ),
    usage: (request: Partial<GetUsageRequest>) =>
      unary(t.clients.aggregation, 'getUsage', GetUsageRequest.fromPartial(request), apiKey),
  };
}

/** Resolves to the gRPC error of a call that must fail. */
export async function grpcError(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded; a gRPC error was expected');
}

export async function expectError(
  call: Promise<unknown>,
  code: status,
  message?: string | RegExp,
): Promise<void> {
  const error = await grpcError(call);
  expect({ code: status[error.code], details: error.details }).toMatchObject({ code: status[code] });
  if (message !== undefined) expect(error.details).toMatch(message);
}

export const JAN = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
export const at = (iso: string) => new Date(iso);
