import { randomUUID } from 'node:crypto';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { DomainError, FailedPreconditionError, InvalidArgumentError } from '../../../libs/common/src/errors';
import { MicroBatcher } from '../../../libs/common/src/micro-batcher';
import type { MonotonicClock } from '../../../libs/clickhouse/src/time';
import { NO_METRICS, type IngestionMetrics } from '../../../libs/observability/src/metrics';
import type { PreparedEvent, StoredEvent } from './event';
import type { EventRepository } from './event.repository';
import { LocalClaimStore, type ClaimRequest, type ClaimStore } from './claims/claim-store';
import { KeyLedger, type Settle } from './steps/dedupe.step';
import { aggregationWarnings, ExpressionRejection, ExpressionStep } from './steps/expression.step';
import { resolveSubscription, type SubscriptionLookup } from './steps/resolve-subscription.step';
import { validateEvent, type EventInput } from './steps/validate.step';

export type EventOutcome =
  | { status: 'ACCEPTED' | 'DUPLICATE'; event: StoredEvent; warnings: string[] }
  | { status: 'REJECTED'; error: DomainError; warnings: string[] };

/** What ingestion needs from the registry, already scoped to the caller. */
export interface CallerRegistry extends SubscriptionLookup {
  metrics(): Promise<Map<string, MetricDefinition>>;
}

export const MAX_BATCH = 10_000;
/** Group commit bounds: one ClickHouse lookup / insert carries at most this many events. */
const MAX_GROUP = 20_000;

/** A request after steps 1–2, ready for commit(). */
export interface PreparedRequest {
  candidates: Candidate[];
  metrics: Map<string, MetricDefinition>;
  /** Filled in by each step; complete once commit() resolved. */
  outcomes: EventOutcome[];
}

interface Candidate {
  index: number;
  event: PreparedEvent;
  warnings: string[];
}

/**
 * The ingestion pipeline (SPEC §2.2): validate → resolve subscription → dedupe → evaluate
 * expression → append. Claims and appends of concurrent calls are group-committed: each call is
 * answered only after the insert carrying its events returned (rule 4). Dedupe is the KeyLedger
 * (one owner per key in this process) in front of a ClaimStore (who may store a key at all:
 * claims/claim-store.ts for one process, claims/postgres-claim-store.ts for several).
 */
export class IngestionService {
  private readonly ledger = new KeyLedger();
  private readonly expressions = new ExpressionStep();
  private readonly claims: ClaimStore;
  private readonly appends: MicroBatcher<StoredEvent, null>;

  constructor(
    events: EventRepository,
    private readonly clock: MonotonicClock,
    private readonly metrics: IngestionMetrics = NO_METRICS,
    claims?: ClaimStore,
  ) {
    const store = (this.claims = claims ?? new LocalClaimStore(events, metrics));
    this.appends = new MicroBatcher(
      async (rows) => {
        await store.beforeInsert(rows);
        try {
          await events.insert(rows);
        } catch (error) {
          await store.insertFailed(rows);
          throw error;
        }
        await store.stored(rows);
        return rows.map(() => null);
      },
      MAX_GROUP,
      (size, wait, run) => metrics.observeCommit('event_append', size, wait, run),
    );
  }

  /** The whole pipeline for one request. */
  async ingest(
    organizationId: string,
    registry: CallerRegistry,
    inputs: (EventInput | null)[],
  ): Promise<EventOutcome[]> {
    return this.commit(await this.prepare(organizationId, registry, inputs));
  }

  /**
   * Steps 1–2 (validate, resolve the subscription); several requests may be here at once. Throws
   * only for the request as a whole: more than MAX_BATCH events, or the registry unreachable.
   */
  async prepare(
    organizationId: string,
    registry: CallerRegistry,
    inputs: (EventInput | null)[],
  ): Promise<PreparedRequest> {
    if (inputs.length > MAX_BATCH) {
      throw new InvalidArgumentError(`events: at most ${MAX_BATCH} per request, got ${inputs.length}`);
    }
    const now = new Date();
    const outcomes: EventOutcome[] = new Array(inputs.length);
    const metrics = await registry.metrics();
    const prepared = await Promise.all(
      inputs.map(async (input, index): Promise<Candidate | null> => {
        try {
          const valid = validateEvent(input, now);
          const { warnings, ...ids } = await resolveSubscription(organizationId, valid, registry);
          return { index, event: { ...valid, ...ids, organizationId }, warnings };
        } catch (error) {
          if (!(error instanceof InvalidArgumentError || error instanceof FailedPreconditionError))
            throw error;
          outcomes[index] = { status: 'REJECTED', error, warnings: [] };
          return null;
        }
      }),
    );
    return { candidates: prepared.filter((c): c is Candidate => c !== null), metrics, outcomes };
  }

  /**
   * Steps 3–5. The request's keys are claimed synchronously, when commit() is called: of two
   * requests sharing a key, the one committed first owns it.
   */
  async commit(request: PreparedRequest): Promise<EventOutcome[]> {
    await this.store(request.candidates, request.metrics, request.outcomes);
    for (const o of request.outcomes) this.metrics.observeEvent(o.status, o.warnings);
    return request.outcomes;
  }

  /** Steps 3–5 for candidates in request order, so the first of a key in a batch is its owner. */
  private async store(
    candidates: Candidate[],
    metrics: Map<string, MetricDefinition>,
    outcomes: EventOutcome[],
  ): Promise<void> {
    const owners: (Candidate & { settle: Settle })[] = [];
    const waiters: (Candidate & { outcome: Promise<StoredEvent | null> })[] = [];
    for (const c of candidates) {
      const claim = this.ledger.claim(c.event);
      if (claim.kind === 'owner') owners.push({ ...c, settle: claim.settle });
      else waiters.push({ ...c, outcome: claim.outcome });
    }
    try {
      const requests: ClaimRequest[] = owners.map((o) => ({ ...o.event, lagoId: randomUUID() }));
      const existing = await this.claims.claim(requests);
      const toStore: (Candidate & { settle: Settle; stored: StoredEvent })[] = [];
      const rejected: ClaimRequest[] = [];
      owners.forEach((o, i) => {
        const original = existing[i];
        if (original) {
          outcomes[o.index] = { status: 'DUPLICATE', event: original, warnings: [] };
          o.settle(original);
          return;
        }
        const stored = this.evaluate(o, requests[i].lagoId, metrics.get(o.event.code), outcomes);
        if (stored) toStore.push({ ...o, stored: stored.event, warnings: stored.warnings });
        else rejected.push(requests[i]);
      });
      await this.claims.release(rejected);
      await this.appends.submit(toStore.map((s) => s.stored));
      for (const s of toStore) {
        outcomes[s.index] = { status: 'ACCEPTED', event: s.stored, warnings: s.warnings };
        s.settle(s.stored);
      }
    } finally {
      // Not stored (store failure): release the keys so that waiters, and the client's retry, try again.
      for (const o of owners) o.settle(null);
    }
    await Promise.all(
      waiters.map(async (w) => {
        const winner = await w.outcome;
        if (winner) outcomes[w.index] = { status: 'DUPLICATE', event: winner, warnings: [] };
        else await this.store([w], metrics, outcomes);
      }),
    );
  }

  /** Step 4 and the warnings of rules 5 and 7; null when the expression rejected the event. */
  private evaluate(
    candidate: Candidate,
    lagoId: string,
    metric: MetricDefinition | undefined,
    outcomes: EventOutcome[],
  ): { event: StoredEvent; warnings: string[] } | null {
    try {
      const properties = this.expressions.apply(metric, candidate.event);
      const warnings = [...candidate.warnings, ...aggregationWarnings(metric, properties)];
      const event: StoredEvent = {
        ...candidate.event,
        properties,
        lagoId,
        createdAtUs: this.clock.nowUs(),
        warnings,
      };
      return { event, warnings };
    } catch (error) {
      if (!(error instanceof ExpressionRejection)) throw error;
      outcomes[candidate.index] = {
        status: 'REJECTED',
        error: new InvalidArgumentError(error.message),
        warnings: [],
      };
      return null;
    }
  }
}
