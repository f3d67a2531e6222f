import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer } from '../../libs/testing/src/clients';
import {
  EventResult_Status,
  IngestEventsRequest,
  type IngestEventsResponse,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** SPEC §2.2 "Batch results are slim": the answer to a 10,000-event batch fits a default 4 MiB message. */
const EVENTS = 10_000;
const BLOB = 'x'.repeat(2048);

const batch = (prefix: string, returnEvents = false) =>
  IngestEventsRequest.fromPartial({
    returnEvents,
    events: Array.from({ length: EVENTS }, (_, i) => ({
      transactionId: `${prefix}-${i}`,
      externalSubscriptionId: 'sub',
      code: 'calls',
      timestamp: at('2026-01-10T00:00:00Z'),
      properties: { blob: BLOB, n: i },
    })),
  });

function streamOnce(
  t: TestStack,
  apiKey: string,
  request: IngestEventsRequest,
): Promise<IngestEventsResponse> {
  return new Promise((resolve, reject) => {
    const call = t.clients.ingestion.streamEvents(bearer(apiKey));
    const responses: IngestEventsResponse[] = [];
    call.on('data', (r: IngestEventsResponse) => responses.push(r));
    call.on('error', (e: ServiceError) => reject(e));
    call.on('end', () => (responses.length === 1 ? resolve(responses[0]) : reject(new Error('no response'))));
    call.write(request);
    call.end();
  });
}

describe('batch results through a client with default message limits (4 MiB receive)', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  it('answers a 10,000-event IngestEvents batch of 2 KiB properties with slim results', async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'calls' });
    const request = batch('u');
    expect(IngestEventsRequest.encode(request).finish().length).toBeGreaterThan(20 * 1024 * 1024);
    const { results } = await a.ingestBatch(request.events);
    expect(results).toHaveLength(EVENTS);
    expect(results.every((r, i) => r.index === i && r.status === EventResult_Status.ACCEPTED)).toBe(true);
    expect(results[42].event).toMatchObject({
      transactionId: 'u-42',
      externalSubscriptionId: 'sub',
      code: 'calls',
      timestamp: at('2026-01-10T00:00:00Z'),
      properties: undefined,
      preciseTotalAmountCents: '',
    });
    expect(results[42].event?.lagoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[42].event?.createdAt).toBeInstanceOf(Date);
    expect((await a.usage({ externalSubscriptionId: 'sub', code: 'calls', ...JAN })).eventsCount).toBe(
      '10000',
    );

    // The full echo is still there on request, and it is what does not fit a default client.
    await expectError(a.ingestBatch(request.events, true), status.RESOURCE_EXHAUSTED);
    const [first] = (await a.ingestBatch(request.events.slice(0, 1), true)).results;
    expect(first).toMatchObject({
      status: EventResult_Status.DUPLICATE,
      event: { properties: { blob: BLOB, n: 0 } },
    });
  }, 120_000);

  it('answers a 10,000-event StreamEvents request of 2 KiB properties with slim results', async () => {
    const { apiKey } = await t.newOrganization();
    const response = await streamOnce(t, apiKey, batch('s'));
    expect(response.results).toHaveLength(EVENTS);
    expect(response.results.every((r) => r.status === EventResult_Status.ACCEPTED)).toBe(true);
    expect(response.results[9_999].event?.transactionId).toBe('s-9999');
    expect(response.results[9_999].event?.properties).toBeUndefined();
    const again = await streamOnce(t, apiKey, batch('s'));
    expect(again.results.every((r) => r.status === EventResult_Status.DUPLICATE)).toBe(true);
    await expect(streamOnce(t, apiKey, batch('s', true))).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
    });
  }, 120_000);
});
