import { randomUUID } from 'node:crypto';
import { NO_METRICS, type RollupMetrics } from '../../../../libs/observability/src/metrics';
import type { UsageQuestion } from '../usage.service';
import { definitionOf, dimsAnswerable, generationId, type RollupDefinition } from './dims-definition';
import type { DimsTarget } from './dims.query';
import { CREATED, READY, REMOVED, type DimsStore, type Generation } from './dims.repository';

/** Timings of activations; every value in milliseconds. */
export interface DimsRollupOptions {
  /**
   * `since` = the activation's start + marginMs. It must cover the definition's insert and the
   * clock skew between this process and every ingestion process: an event accepted (created_at) at
   * or after `since` must reach ClickHouse after the definition row is visible. The activation gives
   * up when the insert itself took more than half of it.
   */
  marginMs: number;
  /**
   * How long after `since` the backfill starts: every insert of an event accepted before `since` is
   * visible by then. Ingestion's claims already assume an insert is visible within half a claim lease
   * after it was sent (README "Exactly once"), so: CLAIM_LEASE_MS / 2 (plus the skew).
   */
  settleMs: number;
  /** A generation not ready this long after it was created is abandoned (a crash, a hung backfill). */
  abandonMs: number;
  /** How long a ready generation found is used without asking again (each statement re-checks it). */
  readyTtlMs: number;
  /** After a failed or pending activation, how long questions take the raw path before asking again. */
  retryMs: number;
}

/** Defaults for a claim lease of 30 s (CLAIM_LEASE_MS). */
export const DEFAULT_DIMS_OPTIONS: DimsRollupOptions = {
  marginMs: 2_000,
  settleMs: 15_000,
  abandonMs: 600_000,
  readyTtlMs: 60_000,
  retryMs: 5_000,
};

/** What activations log (a pino Logger fits). */
export interface ActivationLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

const QUIET: ActivationLog = { info: () => {}, warn: () => {} };

/**
 * Activation of metric-aware aggregates (libs/clickhouse/migrations/0006_usage_dims.sql): which
 * questions are answered from them, and how a metric definition's aggregates come to be exact.
 *
 * Protocol, per definition key (rollup/dims-definition.ts: organization, code, field, sorted
 * dimensions, per_value). A generation is one attempt, with its own id (the key and a random nonce);
 * its state is the highest version of its rows in usage_rollup_definitions:
 *
 * 1. **Look up** the generations of (organization, code). A READY one of the key → questions use it
 *    (any ready generation of a key is exact). A CREATED one younger than `abandonMs` → another
 *    activation (this process or another replica) is under way: questions take the raw path.
 * 2. **Retire** the generations of other keys of (organization, code) — the metric's field, filters
 *    or type changed, or its code was deleted and re-created differently — and this key's abandoned
 *    CREATED ones: a REMOVED row each. The views stop feeding them at once; their aggregate rows are
 *    purged (step 7) once no insert or statement that saw them live can still run.
 * 3. **Create**: a CREATED row with `since` = now + `marginMs`. From its visibility on, the views
 *    aggregate every inserted event with created_at >= since into the generation. If the insert took
 *    more than half the margin, an event accepted at `since` might have been inserted before the row
 *    was visible: the generation is removed (retried after `retryMs`).
 * 4. **Settle**: wait until `since` + `settleMs`. Every event with created_at < since was sent
 *    before `since` (ingestion stamps created_at just before its insert) and is visible by then.
 * 5. **Backfill**: one INSERT … SELECT of the events with created_at < since. With step 3, every event
 *    of the code is aggregated exactly once: before `since` by the backfill, from it by the views.
 * 6. **Ready**: a READY row, unless the generation is older than `abandonMs` by now (a replica that
 *    slept past it may have seen it abandoned and removed it; REMOVED (3) beats READY (2) anyway).
 * 7. **Purge** (best effort): aggregate rows of generations REMOVED more than settle + margin ago;
 *    the definition rows of those REMOVED more than `abandonMs` + settle + margin ago.
 *
 * A crash or failure at any step leaves a generation that is never READY, so never read: its rows,
 * partial or not, are ignored, then purged after a later activation retires it; the next activation
 * uses a new nonce, hence new rows. A failure here never fails a question: it is logged, counted, and
 * the question is answered by the raw path. Statements over a generation check it is still READY (a
 * metric edited and edited back within `readyTtlMs` on another replica): if not, the question is
 * asked again on the raw path (dims.query.ts).
 *
 * Several replicas may race: two may create generations of one key at once; both become exact,
 * either is used, the later activation's step 2 does not retire a key's own READY generations.
 *
 * Left as is: a metric deleted and never re-created keeps its last generation fed until its code is
 * activated again (one generation per code; rows ~ events' hours × dimension tuples).
 */
export class DimsRollups {
  private readonly known = new Map<string, { generationId: string | null; until: number }>();
  private readonly activating = new Map<string, Promise<void>>();

  constructor(
    private readonly store: DimsStore,
    private readonly options: DimsRollupOptions = DEFAULT_DIMS_OPTIONS,
    private readonly log: ActivationLog = QUIET,
    private readonly metrics: RollupMetrics = NO_METRICS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Per question the aggregates can answer (dims-definition.ts `dimsAnswerable`), the ready
   * generation to read; the others are absent (raw path) and, when they lack a definition, start
   * an activation in the background. Never rejects.
   */
  async targets(questions: UsageQuestion[]): Promise<Map<UsageQuestion, DimsTarget>> {
    const targets = new Map<UsageQuestion, DimsTarget>();
    const wanted = new Map<string, { definition: RollupDefinition; questions: UsageQuestion[] }>();
    for (const q of questions) {
      const definition = definitionOf(q.metric);
      if (!dimsAnswerable(q.query, definition)) continue;
      const entry = wanted.get(definition.key) ?? { definition, questions: [] };
      entry.questions.push(q);
      wanted.set(definition.key, entry);
    }
    await Promise.all(
      [...wanted.values()].map(async ({ definition, questions: own }) => {
        const id = await this.readyGeneration(definition);
        if (id !== null) for (const q of own) targets.set(q, { definition, generationId: id });
      }),
    );
    return targets;
  }

  /** A statement found the generation no longer ready: look it up again next time. */
  forget(q: UsageQuestion): void {
    this.known.delete(definitionOf(q.metric).key);
  }

  /** Resolves when the activations under way have ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.activating.size > 0) await Promise.all([...this.activating.values()]);
  }

  private async readyGeneration(d: RollupDefinition): Promise<string | null> {
    const cached = this.known.get(d.key);
    if (cached && cached.until > this.now()) return cached.generationId;
    if (this.activating.has(d.key)) return null;
    try {
      const generations = await this.store.generations(d.organizationId, d.code);
      const ready = latest(generations.filter((g) => g.definition.key === d.key && g.version === READY));
      if (ready) {
        this.remember(d.key, ready.generationId, this.options.readyTtlMs);
        return ready.generationId;
      }
      const pending = generations.some(
        (g) =>
          g.definition.key === d.key &&
          g.version === CREATED &&
          this.now() - g.createdAt.getTime() < this.options.abandonMs,
      );
      if (!pending) this.activate(d, generations);
    } catch (error) {
      this.log.warn({ err: error, code: d.code, definitionKey: d.key }, 'rollup lookup failed');
    }
    this.remember(d.key, null, this.options.retryMs);
    return null;
  }

  private remember(key: string, generationId: string | null, ttl: number): void {
    this.known.set(key, { generationId, until: this.now() + ttl });
  }

  /** Steps 2–7 of the protocol, in the background (one per key in this process). */
  private activate(d: RollupDefinition, generations: Generation[]): void {
    const run = this.run(d, generations).finally(() => this.activating.delete(d.key));
    this.activating.set(d.key, run);
  }

  private async run(d: RollupDefinition, generations: Generation[]): Promise<void> {
    const started = this.now();
    const { marginMs, settleMs, abandonMs } = this.options;
    const id = generationId(d.key, randomUUID());
    const fields = { organizationId: d.organizationId, code: d.code, definitionKey: d.key, generationId: id };
    let generation = { definition: d, generationId: id, since: new Date(started + marginMs) };
    let created = false;
    try {
      await this.retire(d, generations, started);
      const creating = this.now();
      generation = { ...generation, since: new Date(creating + marginMs) };
      const since = generation.since;
      await this.store.write(generation, CREATED);
      created = true;
      if (this.now() > creating + marginMs / 2)
        throw new Error('the definition insert took over half the margin');
      this.log.info({ ...fields, since: since.toISOString() }, 'rollup activation started');
      await sleep(since.getTime() + settleMs - this.now());
      await this.store.backfill(d, id, since);
      if (this.now() - started >= abandonMs) throw new Error('activation outlived abandonMs');
      await this.store.write(generation, READY);
      this.remember(d.key, id, this.options.readyTtlMs);
      this.metrics.observeActivation('ready', this.now() - started);
      this.log.info({ ...fields, durationMs: this.now() - started }, 'rollup activation ready');
    } catch (error) {
      this.metrics.observeActivation('failed', this.now() - started);
      this.log.warn({ ...fields, err: error }, 'rollup activation failed; questions take the raw path');
      this.remember(d.key, null, this.options.retryMs);
      if (created) await this.store.write(generation, REMOVED).catch(() => {});
      return;
    }
    await this.purge(d, generations, started).catch((error: unknown) =>
      this.log.warn({ ...fields, err: error }, 'rollup purge failed'),
    );
  }

  /** Step 2: other keys' generations, and this key's abandoned ones, REMOVED. */
  private async retire(d: RollupDefinition, generations: Generation[], now: number): Promise<void> {
    const stale = generations.filter(
      (g) =>
        g.version !== REMOVED &&
        (g.definition.key !== d.key ||
          (g.version === CREATED && now - g.createdAt.getTime() >= this.options.abandonMs)),
    );
    for (const g of stale) {
      await this.store.write(g, REMOVED);
      this.log.info(
        { organizationId: d.organizationId, code: d.code, generationId: g.generationId },
        'rollup generation retired',
      );
    }
  }

  /** Step 7: rows of generations removed long enough ago that nothing can still read or feed them. */
  private async purge(d: RollupDefinition, generations: Generation[], now: number): Promise<void> {
    const { settleMs, marginMs, abandonMs } = this.options;
    const removedBefore = (ms: number) =>
      generations
        .filter((g) => g.version === REMOVED && now - g.changedAt.getTime() > ms)
        .map((g) => g.generationId);
    await this.store.purge(removedBefore(settleMs + marginMs));
    await this.store.forget(d.organizationId, d.code, removedBefore(abandonMs + settleMs + marginMs));
  }
}

/** The most recently created generation of a list, if any. */
function latest(generations: Generation[]): Generation | undefined {
  return [...generations].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

/** A wait that does not keep the process alive (shutdown does not wait for an activation). */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
