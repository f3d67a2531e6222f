interface Pending<I, O> {
  items: I[];
  resolve: (results: O[]) => void;
  reject: (error: unknown) => void;
  queuedAt: number;
}

/** Told about every run: items carried, ms the oldest waited before the run started, ms it ran. */
export type BatchObserver = (size: number, waitMs: number, runMs: number) => void;

/**
 * Group commit: concurrent callers' items are run together. Nothing waits on a timer: when no run
 * is in flight a submission starts one at once (no added latency at low load); while one is in
 * flight, new submissions queue up and go together in the next run, up to `maxItems` items. Each
 * caller gets its own results, in its own order, only after the run that carried its items ended;
 * if that run failed, every caller in it gets the error.
 */
export class MicroBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems: number,
    private readonly observe?: BatchObserver,
  ) {}

  submit(items: I[]): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject, queuedAt: performance.now() });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const group = this.take();
      const started = performance.now();
      const items = group.flatMap((p) => p.items);
      try {
        const results = await this.run(items).finally(() =>
          this.observe?.(items.length, started - group[0].queuedAt, performance.now() - started),
        );
        let offset = 0;
        for (const p of group) {
          p.resolve(results.slice(offset, offset + p.items.length));
          offset += p.items.length;
        }
      } catch (error) {
        for (const p of group) p.reject(error);
      }
    }
    this.running = false;
  }

  /** At least one submission, then more while they fit under maxItems. */
  private take(): Pending<I, O>[] {
    const group = [this.queue.shift()!];
    let count = group[0].items.length;
    while (this.queue.length > 0 && count + this.queue[0].items.length <= this.maxItems) {
      count += this.queue[0].items.length;
      group.push(this.queue.shift()!);
    }
    return group;
  }
}
