import type { Metadata, ServiceError } from '@grpc/grpc-js';
import {
  EventResult_Status,
  type IngestEventsResponse,
  type IngestionServiceClient,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { benchEvents, type Window } from '../model';
import type { IngestTask } from './protocol';
import type { Recorder } from './recorder';

export interface LoopContext {
  client: IngestionServiceClient;
  metadata: Metadata;
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

function call<Req, Res>(
  method: (req: Req, md: Metadata, opts: object, cb: (e: ServiceError | null, r: Res) => void) => unknown,
  ctx: LoopContext,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(
      ctx.client,
      request,
      ctx.metadata,
      { deadline: Date.now() + DEADLINE_MS },
      (error, response) => (error ? reject(error) : resolve(response)),
    ),
  );
}

/** IngestEvents: one batch of `batchSize` events per call. */
export function ingestEventsLoop(ctx: LoopContext): Promise<void> {
  const { task, window, recorder } = ctx;
  return lanes(ctx, async (seq) => {
    const events = benchEvents(task.prefix, seq * task.batchSize, task.batchSize, window, task.subscriptions);
    const started = performance.now();
    try {
      const response = await call(ctx.client.ingestEvents, ctx, { events });
      recorder.ok(started, events.length, statusCounts(response, recorder));
    } catch (error) {
      recorder.fail(error);
    }
  });
}
