import type { RollupDefinition } from '../../services/aggregation/src/rollup/dims-definition';
import type {
  DimsStore,
  Generation,
  GenerationVersion,
} from '../../services/aggregation/src/rollup/dims.repository';

/** The calls of an activation (services/aggregation/src/rollup/dims.repository.ts). */
export type DimsOperation = 'generations' | 'write' | 'backfill' | 'purge' | 'forget';

/**
 * Fault injection at the repository boundary of activations (docs/STYLE.md "Operational code"):
 * fails the Nth call of a named operation after `failAt` armed it, once; `after`: the call runs to
 * the end first (a backfill whose rows all landed, the caller told it failed); `hang`: the call never
 * runs nor settles (the process died there). Counts every call.
 */
export class FaultyDims implements DimsStore {
  private armed = new Map<DimsOperation, { nth: number; after: boolean; hang: boolean }>();
  readonly calls: Record<DimsOperation, number> = {
    generations: 0,
    write: 0,
    backfill: 0,
    purge: 0,
    forget: 0,
  };

  constructor(private readonly inner: DimsStore) {}

  failAt(operation: DimsOperation, nth = 1, options: { after?: boolean; hang?: boolean } = {}): void {
    this.armed.set(operation, { nth, after: options.after ?? false, hang: options.hang ?? false });
  }

  private async call<T>(operation: DimsOperation, run: () => Promise<T>): Promise<T> {
    this.calls[operation]++;
    const armed = this.armed.get(operation);
    if (!armed) return run();
    armed.nth--;
    if (armed.nth > 0) return run();
    this.armed.delete(operation);
    if (armed.hang) return new Promise<T>(() => {});
    if (armed.after) await run();
    throw new Error(`injected fault: ${operation} failed`);
  }

  generations(organizationId: string, code: string): Promise<Generation[]> {
    return this.call('generations', () => this.inner.generations(organizationId, code));
  }
  write(
    g: Omit<Generation, 'version' | 'createdAt' | 'changedAt'>,
    version: GenerationVersion,
  ): Promise<void> {
    return this.call('write', () => this.inner.write(g, version));
  }
  backfill(definition: RollupDefinition, generationId: string, since: Date): Promise<void> {
    return this.call('backfill', () => this.inner.backfill(definition, generationId, since));
  }
  purge(generationIds: string[]): Promise<void> {
    return this.call('purge', () => this.inner.purge(generationIds));
  }
  forget(organizationId: string, code: string, generationIds: string[]): Promise<void> {
    return this.call('forget', () => this.inner.forget(organizationId, code, generationIds));
  }
}
