import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { Writer } from 'protobufjs';
import { bearer } from '../../libs/testing/src/clients';
import {
  EventResult_Status,
  IngestEventResponse,
  IngestEventsResponse,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { startTestStack, type TestStack } from '../support/test-stack';

/** A google.protobuf.Timestamp written as the wire carries it, whatever its nanos. */
function timestamp(w: Writer, field: number, seconds: number, nanos: number): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32(8).int64(seconds);
  w.uint32(16).int32(nanos);
  w.ldelim();
}

/** EventInput{transaction_id = 1, external_subscription_id = 2, code = 4, timestamp = 5}. */
function eventInput(w: Writer, field: number, transactionId: string, seconds: number, nanos: number): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32(10).string(transactionId);
  w.uint32(18).string('s');
  w.uint32(34).string('n');
  timestamp(w, 5, seconds, nanos);
  w.ldelim();
}

const JAN_5 = Date.parse('2026-01-05T00:00:00Z') / 1000;

/**
 * SPEC §2.2 rule 9: a Timestamp whose nanos is outside 0…999,999,999 is invalid, never shifted into
 * another instant. The ts-proto client cannot send one (it writes Dates), so these calls encode
 * their requests by hand and go through the raw grpc-js client.
 */
describe('Timestamps with nanos out of range', () => {
  let t: TestStack;
  let raw: Client;
  let apiKey: string;
  beforeAll(async () => {
    t = await startTestStack();
    raw = new Client(t.stack.addresses.ingestion, credentials.createInsecure());
    ({ apiKey } = await t.newOrganization());
  }, 60_000);
  afterAll(async () => {
    raw?.close();
    await t?.stop();
  });

  function call<T>(method: string, body: Uint8Array, decode: (b: Buffer) => T): Promise<T> {
    return new Promise((resolve, reject) =>
      raw.makeUnaryRequest(
        `/metering.v1.IngestionService/${method}`,
        (b: Uint8Array) => Buffer.from(b),
        decode,
        body,
        bearer(apiKey),
        (error: ServiceError | null, response?: T) => (error ? reject(error) : resolve(response!)),
      ),
    );
  }

  it.each([1_000_000_000, -1, 2_000_000_000])(
    'IngestEvent rejects nanos = %d with INVALID_ARGUMENT naming the field',
    async (nanos) => {
      const w = Writer.create();
      eventInput(w, 1, `bad-${nanos}`, JAN_5, nanos);
      const error = await call('IngestEvent', w.finish(), IngestEventResponse.decode).then(
        () => null,
        (e: ServiceError) => e,
      );
      expect(error && { code: status[error.code], details: error.details }).toEqual({
        code: 'INVALID_ARGUMENT',
        details: `event.timestamp: nanos must be within 0…999999999, got ${nanos}`,
      });
    },
  );

  it('IngestEvents rejects only that event of a batch; the valid nanos keep their milliseconds', async () => {
    const w = Writer.create();
    eventInput(w, 1, 'ok', JAN_5, 999_999_999);
    eventInput(w, 1, 'shifted', JAN_5, 1_500_000_000);
    const response = await call('IngestEvents', w.finish(), IngestEventsResponse.decode);
    expect(response.results.map((r) => [r.status, r.error])).toEqual([
      [EventResult_Status.ACCEPTED, ''],
      [EventResult_Status.REJECTED, 'event.timestamp: nanos must be within 0…999999999, got 1500000000'],
    ]);
    expect(response.results[0].event?.timestamp?.toISOString()).toBe('2026-01-05T00:00:00.999Z');
  });
});
