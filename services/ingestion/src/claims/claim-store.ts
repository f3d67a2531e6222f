import { MicroBatcher } from '../../../../libs/common/src/micro-batcher';
import type { IngestionMetrics } from '../../../../libs/observability/src/metrics';
import type { EventKeyFields, PreparedEvent, StoredEvent } from '../event';

/** An event whose key this process owns in its KeyLedger, with the lago_id it will be stored under. */
export type ClaimRequest = PreparedEvent & { lagoId: string };

/**
 * Step 3 across processes (SPEC §2.2 rule 3): who may store a key. Called only for keys this
 * process's KeyLedger gave to one call (distinct keys; concurrent calls of a process share one
 * owner), in this order:
 *
 * claim → (the expression) → release the rejected → beforeInsert → insert → stored | insertFailed.
 */
export interface ClaimStore {
  /** For each event: its key's stored original (answer DUPLICATE), or null: store it, under its lagoId. */
  claim(events: ClaimRequest[]): Promise<(StoredEvent | null)[]>;
  /** Claimed events that will not be stored (the expression rejected them): free their keys. */
  release(events: ClaimRequest[]): Promise<void>;
  /** Just before the insert: every claim has lease enough left for it (renewed if not), or this throws. */
  beforeInsert(events: StoredEvent[]): Promise<void>;
  /** The insert carrying these events returned. */
  stored(events: StoredEvent[]): Promise<void>;
  /** The insert failed: settle what can be settled now (stored anyway, or free again). Never throws. */
  insertFailed(events: StoredEvent[]): Promise<void>;
}

/** What the claim stores read from ClickHouse (EventRepository). */
export interface StoredEvents {
  findFirst(keys: EventKeyFields[]): Promise<(StoredEvent | null)[]>;
  findAt(
    pointers: (EventKeyFields & { code: string; timestamp: Date; lagoId: string })[],
  ): Promise<StoredEvent[]>;
}

/** Group-commit bound: one lookup carries at most this many keys. */
export const MAX_CLAIM_GROUP = 20_000;

/**
 * The embedded single-process default (`DEDUPE_CLAIMS=local`): the KeyLedger in front is the
 * whole claim, and "is it stored already" is a point lookup in ClickHouse's `event_keys` index
 * (group-committed across concurrent calls). Exact only while one process writes the ClickHouse
 * it reads — always so on the embedded store, whose files one process can open.
 */
export class LocalClaimStore implements ClaimStore {
  private readonly lookups: MicroBatcher<ClaimRequest, StoredEvent | null>;

  constructor(events: StoredEvents, metrics?: IngestionMetrics) {
    this.lookups = new MicroBatcher(
      (keys) => events.findFirst(keys),
      MAX_CLAIM_GROUP,
      (size, wait, run) => metrics?.observeCommit('event_lookup', size, wait, run),
    );
  }

  claim(events: ClaimRequest[]): Promise<(StoredEvent | null)[]> {
    return this.lookups.submit(events);
  }

  async release(): Promise<void> {}
  async beforeInsert(): Promise<void> {}
  async stored(): Promise<void> {}
  async insertFailed(): Promise<void> {}
}
