import {
  EventResult_Status,
  IngestEventRequest,
  IngestEventResponse,
  IngestEventsRequest,
  IngestEventsResponse,
  IngestionServiceService,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { benchEvent, benchEvents, type Window } from '../model';
import { callHeaders, frame, unaryCall, type Connection } from './grpc-wire';
import type { IngestTask } from './protocol';
import type { Recorder } from './recorder';

/**
 * The ingestion loads, on node:http2 (grpc-wire.ts) with the ts-proto codecs: the same calls, bytes
 * and recording as grpc-js clients would make, for a fraction of their CPU (which the server under
 * test, on the same 2 cores, gets instead).
 */
export interface LoopContext {
  /** The process's one HTTP/2 connection to the server. */
  connection: Connection;
  task: IngestTask;
  window: Window;
  recorder: Recorder;
}

/** Per call, for every unary loop. */
export const DEADLINE_MS = 60_000;

/** EventResult statuses of one response; each REJECTED event is recorded as an error. */
export function statusCounts(response: IngestEventsResponse, recorder: Recorder): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of response.results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (r.status === EventResult_Status.REJECTED) recorder.fail(null, `REJECTED: ${r.error}`);
  }
  return counts;
}

/** Calls `one(seq)` back to back on `inflight` lanes until the phase ends. */
export async function lanes(
  ctx: Pick<LoopContext, 'task' | 'recorder'>,
  one: (seq: number) => Promise<void>,
): Promise<void> {
  let seq = 0;
  const lane = async () => {
    while (ctx.recorder.running) await one(seq++);
  };
  await Promise.all(Array.from({ length: ctx.task.inflight }, lane));
}

const decodeEvent = (message: Buffer) => IngestEventResponse.decode(message);
const decodeEvents = (message: Buffer) => IngestEventsResponse.decode(message);

/** IngestEvent: one event per call. */
export function ingestEventLoop(ctx: LoopContext): Promise<void> {
  const { connection, task, window, recorder } = ctx;
  const headers = callHeaders(IngestionServiceService.ingestEvent.path, task.apiKey, DEADLINE_MS);
  return lanes(ctx, async (seq) => {
    const event = benchEvent(task.prefix, seq, window, task.subscriptions);
    // Started before encoding, as grpc-js serializes inside the call.
    const started = performance.now();
    try {
      const body = frame(IngestEventRequest.encode({ event }).finish());
      const response = await unaryCall(connection.get(), headers, body, decodeEvent, DEADLINE_MS);
      recorder.ok(started, 1, { [response.duplicate ? 'DUPLICATE' : 'answered']: 1 });
    } catch (error) {
      recorder.fail(error);
    }
  });
}

/**
 * Batch `seq`, framed, and when it was started: after its events are made, before they are encoded
 * (as grpc-js serializes inside the call). The 1,000 event objects die here, young: referenced
 * across the call's await, they would outlive scavenges and be promoted to the old generation.
 */
function batchRequest(ctx: LoopContext, seq: number): { started: number; body: Buffer } {
  const { task, window } = ctx;
  const events = benchEvents(task.prefix, seq * task.batchSize, task.batchSize, window, task.subscriptions);
  const started = performance.now();
  return { started, body: frame(IngestEventsRequest.encode({ events, returnEvents: false }).finish()) };
}

/** IngestEvents: one batch of `batchSize` events per call; every result of the answer is decoded and counted. */
export function ingestEventsLoop(ctx: LoopContext): Promise<void> {
  const { connection, task, recorder } = ctx;
  const headers = callHeaders(IngestionServiceService.ingestEvents.path, task.apiKey, DEADLINE_MS);
  return lanes(ctx, async (seq) => {
    try {
      const { started, body } = batchRequest(ctx, seq);
      const response = await unaryCall(connection.get(), headers, body, decodeEvents, DEADLINE_MS);
      recorder.ok(started, task.batchSize, statusCounts(response, recorder));
    } catch (error) {
      recorder.fail(error);
    }
  });
}
