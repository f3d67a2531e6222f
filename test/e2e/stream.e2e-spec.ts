import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  EventResult_Status,
  IngestEventsRequest,
  type IngestEventsResponse,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** Sends every request on one StreamEvents call, reading responses as they come. */
function stream(
  t: TestStack,
  apiKey: string,
  requests: IngestEventsRequest[],
): Promise<IngestEventsResponse[]> {
  return new Promise((resolve, reject) => {
    const call = t.clients.ingestion.streamEvents(bearer(apiKey));
    const responses: IngestEventsResponse[] = [];
    call.on('data', (r: IngestEventsResponse) => responses.push(r));
    call.on('error', (e: ServiceError) => reject(e));
    call.on('end', () => resolve(responses));
    for (const r of requests) call.write(r);
    call.end();
  });
}

const batch = (from: number, count: number, tx = (i: number) => `tx${i}`) =>
  IngestEventsRequest.fromPartial({
    events: Array.from({ length: count }, (_, k) => ({
      transactionId: tx(from + k),
      externalSubscriptionId: 's',
      code: 'n',
      timestamp: at('2026-01-05Z'),
      properties: { v: from + k },
    })),
  });

describe('StreamEvents', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  it('answers each request once, in order, with the first of a key winning across requests', async () => {
    const { apiKey } = await t.newOrganization();
    await api(t, apiKey).createMetric({
      code: 'n',
      aggregationType: AggregationType.SUM_AGG,
      fieldName: 'v',
    });
    const requests = Array.from({ length: 20 }, (_, i) => batch(i * 100, 100));
    requests.push({ ...batch(0, 3, (i) => `tx${i + 100}`), returnEvents: true }); // keys of request 1, again
    const responses = await stream(t, apiKey, requests);
    expect(responses).toHaveLength(21);
    responses.slice(0, 20).forEach((r, i) => {
      expect(r.results).toHaveLength(100);
      expect(r.results.every((x) => x.status === EventResult_Status.ACCEPTED)).toBe(true);
      expect(r.results[0].event?.transactionId).toBe(`tx${i * 100}`);
      expect(r.results[0].event?.properties).toBeUndefined(); // slim by default
    });
    expect(responses[20].results.map((x) => [x.status, x.event?.properties?.v])).toEqual([
      [EventResult_Status.DUPLICATE, 100],
      [EventResult_Status.DUPLICATE, 101],
      [EventResult_Status.DUPLICATE, 102],
    ]);
    const usage = await api(t, apiKey).usage({ externalSubscriptionId: 's', code: 'n', ...JAN });
    expect(usage).toMatchObject({ eventsCount: '2000', value: String((1999 * 2000) / 2) });
  });

  it('ends the stream with INVALID_ARGUMENT for a request over the batch limit', async () => {
    const { apiKey } = await t.newOrganization();
    const error = await stream(t, apiKey, [batch(0, 1), batch(1, 10_001)]).then(
      () => null,
      (e: ServiceError) => e,
    );
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
  });
});
