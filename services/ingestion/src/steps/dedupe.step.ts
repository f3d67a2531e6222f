import { eventKey, type PreparedEvent, type StoredEvent } from '../event';

/** How the first of a key is settled (once; later calls are ignored): the stored event, or null if it was not stored. */
export type Settle = (winner: StoredEvent | null) => void;

export type Claim =
  | { kind: 'owner'; settle: Settle }
  /** Another call holds the key: wait for its outcome. */
  | { kind: 'wait'; outcome: Promise<StoredEvent | null> };

/**
 * Step 3, in-process half of SPEC §2.2 rule 3 (first wins, forever, concurrent duplicates included).
 *
 * A key is claimed before the store is asked whether it exists, and released only once its event is
 * stored (or was rejected). So of N concurrent calls with one key exactly one, the owner, looks it up
 * and appends; the others wait and are answered DUPLICATE with the owner's event. If the owner's event
 * is not stored (rejected, or the store failed), its waiters claim again. The store half of the rule
 * — the key already exists from an earlier call or process — is the owner's lookup.
 */
export class KeyLedger {
  private readonly inFlight = new Map<string, Promise<StoredEvent | null>>();

  claim(event: PreparedEvent): Claim {
    const key = eventKey(event);
    const outcome = this.inFlight.get(key);
    if (outcome) return { kind: 'wait', outcome };
    let resolve!: (winner: StoredEvent | null) => void;
    this.inFlight.set(key, new Promise((r) => (resolve = r)));
    let settled = false;
    return {
      kind: 'owner',
      settle: (winner) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(key);
        resolve(winner);
      },
    };
  }

  get size(): number {
    return this.inFlight.size;
  }
}
