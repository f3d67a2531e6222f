import { readFileSync } from 'node:fs';

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or null once the process is gone. */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface RssSummary {
  /** VmHWM: the kernel's own peak resident set of the process. */
  peakBytes: number | null;
  /** The largest VmRSS seen by sampling every second. */
  maxSampledBytes: number;
  samples: { atMs: number; bytes: number }[];
}

/** Samples VmRSS of one process every second until stopped. */
export class RssSampler {
  private readonly samples: { atMs: number; bytes: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 1_000);
    this.sample();
  }

  private sample(): void {
    const bytes = procStatusBytes(this.pid, 'VmRSS');
    if (bytes !== null) this.samples.push({ atMs: Date.now() - this.started, bytes });
  }

  /** Call while the process still runs, so VmHWM can be read. */
  stop(): RssSummary {
    clearInterval(this.timer);
    this.sample();
    return {
      peakBytes: procStatusBytes(this.pid, 'VmHWM'),
      maxSampledBytes: Math.max(0, ...this.samples.map((s) => s.bytes)),
      samples: this.samples,
    };
  }
}
