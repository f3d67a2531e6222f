import type { ChildProcess } from 'node:child_process';

/** Undo steps run once, newest first, whether the bench ended, failed or was interrupted. */
export class Cleanup {
  private readonly steps: { what: string; step: () => unknown }[] = [];
  private done = false;

  add(what: string, step: () => unknown): void {
    this.steps.push({ what, step });
  }

  /** Kills the child at the end if it is still running (a normal stop happens before). */
  track<C extends ChildProcess>(child: C, what: string): C {
    this.add(`kill ${what}`, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return child;
  }

  async run(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const { what, step } of this.steps.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`cleanup: ${what} failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}
