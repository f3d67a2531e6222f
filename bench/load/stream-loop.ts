import type { ClientDuplexStream } from '@grpc/grpc-js';
import type {
  IngestEventsRequest,
  IngestEventsResponse,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { benchEvents } from '../model';
import { statusCounts, type LoopContext } from './ingest-loops';

const STOP_GRACE_MS = 60_000;

/**
 * StreamEvents: one bidi stream, at most `inflight` requests not yet answered (responses come in
 * request order), and no write while the stream asks to wait for `drain`.
 */
class StreamLoad {
  private readonly stream: ClientDuplexStream<IngestEventsRequest, IngestEventsResponse>;
  private readonly sentAt: number[] = [];
  private batch = 0;
  private draining = false;
  private ended = false;

  constructor(private readonly ctx: LoopContext) {
    this.stream = ctx.client.streamEvents(ctx.metadata);
  }

  run(): Promise<void> {
    const { recorder } = this.ctx;
    return new Promise<void>((resolve) => {
      const guard = setTimeout(() => this.stream.cancel(), Math.max(0, recorder.endsInMs) + STOP_GRACE_MS);
      const finish = () => (clearTimeout(guard), resolve());
      this.stream.on('data', (response: IngestEventsResponse) => {
        recorder.ok(this.sentAt.shift()!, response.results.length, statusCounts(response, recorder));
        this.pump();
      });
      this.stream.on('error', (error) => (recorder.fail(error), finish()));
      this.stream.on('end', finish);
      this.pump();
    });
  }

  /** Writes until `inflight` requests are unanswered; ends the stream once the phase is over and all are answered. */
  private pump(): void {
    const { task, window, recorder } = this.ctx;
    while (!this.draining && recorder.running && this.sentAt.length < task.inflight) {
      const first = this.batch++ * task.batchSize;
      const events = benchEvents(task.prefix, first, task.batchSize, window, task.subscriptions);
      this.sentAt.push(performance.now());
      if (!this.stream.write({ events })) {
        this.draining = true;
        this.stream.once('drain', () => ((this.draining = false), this.pump()));
      }
    }
    if (!recorder.running && this.sentAt.length === 0 && !this.ended) {
      this.ended = true;
      this.stream.end();
    }
  }
}

export function streamEventsLoop(ctx: LoopContext): Promise<void> {
  return new StreamLoad(ctx).run();
}
