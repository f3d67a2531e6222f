/** What StreamFlow needs of a gRPC server stream (grpc-js ServerDuplexStream has it all). */
export interface FlowControlledStream {
  pause(): unknown;
  resume(): unknown;
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Backpressure for a bidirectional stream: once `maxPending` requests are received but not yet
 * answered, the stream stops reading (gRPC's flow control then stops the client); it reads again
 * when fewer are pending and the responses written so far have drained, so a client that does not
 * read its responses is stopped too. Memory per stream stays bounded by maxPending requests.
 */
export class StreamFlow {
  private pending = 0;
  private paused = false;
  private awaitingDrain = false;

  constructor(
    private readonly stream: FlowControlledStream | undefined,
    private readonly maxPending: number,
  ) {}

  received(): void {
    this.pending += 1;
    if (this.pending >= this.maxPending && !this.paused) {
      this.paused = true;
      this.stream?.pause();
    }
  }

  answered(): void {
    this.pending -= 1;
    this.maybeResume();
  }

  private maybeResume(): void {
    if (!this.paused || this.pending >= this.maxPending || this.awaitingDrain) return;
    if (this.stream?.writableNeedDrain) {
      this.awaitingDrain = true;
      this.stream.once('drain', () => {
        this.awaitingDrain = false;
        this.maybeResume();
      });
      return;
    }
    this.paused = false;
    this.stream?.resume();
  }
}
