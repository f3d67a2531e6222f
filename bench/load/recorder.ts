import type { IngestResult, Schedule } from './protocol';

const MAX_ERROR_SAMPLES = 5;

/** Counts what completes inside the measured window of a phase. */
export class Recorder {
  private readonly result: IngestResult = {
    kind: 'ingest',
    events: 0,
    calls: 0,
    errors: 0,
    errorSamples: [],
    statuses: {},
    latenciesMs: [],
  };

  constructor(private readonly schedule: Schedule) {}

  /** No new call once the phase has ended. */
  get running(): boolean {
    return Date.now() < this.schedule.endAt;
  }

  /** Milliseconds until the phase ends (negative once it has). */
  get endsInMs(): number {
    return this.schedule.endAt - Date.now();
  }

  private inWindow(): boolean {
    const now = Date.now();
    return now >= this.schedule.measureFrom && now <= this.schedule.endAt;
  }

  /** A call answered: `startedMs` is its performance.now() when sent. */
  ok(startedMs: number, events: number, statuses: Record<string, number>): void {
    if (!this.inWindow()) return;
    this.result.calls += 1;
    this.result.events += events;
    this.result.latenciesMs.push(performance.now() - startedMs);
    for (const [status, n] of Object.entries(statuses)) {
      this.result.statuses[status] = (this.result.statuses[status] ?? 0) + n;
    }
  }

  /** A failed call counts wherever it happens: a bench with errors is not a valid measurement. */
  fail(error: unknown, detail?: string): void {
    this.result.errors += 1;
    if (this.result.errorSamples.length < MAX_ERROR_SAMPLES) {
      this.result.errorSamples.push(detail ?? (error as Error).message ?? String(error));
    }
  }

  done(): IngestResult {
    return this.result;
  }
}
