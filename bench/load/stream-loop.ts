import type { ClientHttp2Stream } from 'node:http2';
import { status as Status } from '@grpc/grpc-js';
import {
  IngestEventsRequest,
  IngestEventsResponse,
  IngestionServiceService,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { benchEvents } from '../model';
import { callHeaders, cancel, Deframer, frame, GrpcError, grpcError, watchStatus } from './grpc-wire';
import { statusCounts, type LoopContext } from './ingest-loops';

/** How long after the phase's end the stream may take to answer its last requests and close. */
const STOP_GRACE_MS = 60_000;

/**
 * StreamEvents: one bidi stream (one HTTP/2 stream) per process, at most `inflight` requests not
 * yet answered. Responses come one per request, in request order, so each is matched with the
 * oldest unanswered request. No write while the stream asks to wait for `drain`. Once the phase is
 * over and every request answered, the stream is ended and must close with grpc-status OK.
 */
class StreamLoad {
  private readonly stream: ClientHttp2Stream;
  /** performance.now() at the sending of each unanswered request, oldest first. */
  private readonly sentAt: number[] = [];
  private batch = 0;
  private draining = false;
  private ended = false;
  private failure: Error | undefined;

  constructor(private readonly ctx: LoopContext) {
    // No grpc-timeout: the grpc-js stream had no deadline either; the guard of run() bounds it.
    const path = IngestionServiceService.streamEvents.path;
    this.stream = ctx.connection.get().request(callHeaders(path, ctx.task.apiKey));
  }

  run(): Promise<void> {
    const { stream } = this;
    const { recorder } = this.ctx;
    const status = watchStatus(stream);
    const deframer = new Deframer((message) => this.answered(message));
    return new Promise<void>((resolve) => {
      const guard = setTimeout(
        () =>
          this.abort(
            new GrpcError(Status.DEADLINE_EXCEEDED, `stream not closed ${STOP_GRACE_MS} ms after the phase`),
          ),
        Math.max(0, recorder.endsInMs) + STOP_GRACE_MS,
      );
      stream.on('data', (chunk: Buffer) => {
        try {
          deframer.push(chunk);
        } catch (error) {
          this.abort(error as Error);
        }
      });
      stream.on('error', (error) => (this.failure ??= grpcError(error)));
      // The server has ended the call (its status is in the trailers); if this side has not ended
      // yet, the stream would stay half-open: it is cancelled, as grpc-js does, so 'close' comes.
      stream.on('end', () => {
        if (!this.ended) cancel(stream);
      });
      stream.on('close', () => {
        clearTimeout(guard);
        const error = this.failure ?? status() ?? this.unfinished(deframer);
        if (error) recorder.fail(error);
        resolve();
      });
      this.pump();
    });
  }

  /** One response: the answer to the oldest unanswered request. */
  private answered(message: Buffer): void {
    const started = this.sentAt.shift();
    if (started === undefined) throw new GrpcError(Status.INTERNAL, 'a response with no request unanswered');
    const response = IngestEventsResponse.decode(message);
    this.ctx.recorder.ok(started, response.results.length, statusCounts(response, this.ctx.recorder));
    this.pump();
  }

  /** Writes until `inflight` requests are unanswered; ends the stream once the phase is over and all are answered. */
  private pump(): void {
    const { task, window, recorder } = this.ctx;
    if (this.failure) return;
    while (!this.draining && recorder.running && this.sentAt.length < task.inflight) {
      const first = this.batch++ * task.batchSize;
      const events = benchEvents(task.prefix, first, task.batchSize, window, task.subscriptions);
      // Taken before encoding, as grpc-js serializes inside write().
      this.sentAt.push(performance.now());
      if (!this.stream.write(frame(IngestEventsRequest.encode({ events, returnEvents: false }).finish()))) {
        this.draining = true;
        this.stream.once('drain', () => ((this.draining = false), this.pump()));
      }
    }
    if (!recorder.running && this.sentAt.length === 0 && !this.ended) {
      this.ended = true;
      this.stream.end();
    }
  }

  /** An OK close is still a failure if it cuts a response, leaves a request unanswered or comes before the phase's end. */
  private unfinished(deframer: Deframer): GrpcError | undefined {
    const left = this.sentAt.length;
    if (deframer.partial) return new GrpcError(Status.INTERNAL, 'stream closed inside a response message');
    if (left > 0) return new GrpcError(Status.INTERNAL, `stream closed with ${left} requests unanswered`);
    if (!this.ended) return new GrpcError(Status.INTERNAL, 'stream ended by the server before the phase');
    return undefined;
  }

  /** The first failure is the one recorded; the stream is cancelled and its 'close' settles run(). */
  private abort(error: Error): void {
    this.failure ??= error;
    cancel(this.stream);
  }
}

export function streamEventsLoop(ctx: LoopContext): Promise<void> {
  return new StreamLoad(ctx).run();
}
