import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../../../../libs/common/src/errors';
import { MicroBatcher } from '../../../../libs/common/src/micro-batcher';
import type { IngestionMetrics } from '../../../../libs/observability/src/metrics';
import { eventKey, type StoredEvent } from '../event';
import { MAX_CLAIM_GROUP, type ClaimRequest, type ClaimStore, type StoredEvents } from './claim-store';
import type { ClaimPointer, ClaimRepository, ClaimRow } from './claim.repository';

export interface PostgresClaimOptions {
  /** How long a claim is its owner's alone (ms). */
  leaseMs: number;
  /** This process instance (default: a fresh UUID). */
  owner?: string;
  /** Poll interval while another process holds a key: starts here, doubles up to 200 ms. */
  pollMs?: number;
}

type Round = StoredEvent | 'owned' | 'wait';

const byKey = (a: ClaimRequest, b: ClaimRequest) => {
  const x = eventKey(a);
  const y = eventKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
const pointer = (e: ClaimPointer): ClaimPointer => ({
  organizationId: e.organizationId,
  externalSubscriptionId: e.externalSubscriptionId,
  transactionId: e.transactionId,
  code: e.code,
  timestamp: e.timestamp,
  lagoId: e.lagoId,
});

/**
 * The claim shared by every ingestion process writing one ClickHouse (`DEDUPE_CLAIMS=postgres`):
 * SPEC §2.2 rule 3 across processes and crashes. A row of `event_claims` per key, linearized by
 * PostgreSQL's primary key; the KeyLedger in front still gives a key to one call per process.
 *
 * **States of a key**, and the transitions (each one autocommit statement on the row):
 *
 * - *absent* → **claimed** by owner O with lease L and pointer P = (code, timestamp, lago_id) of the
 *   event O is about to insert: `INSERT … ON CONFLICT DO NOTHING RETURNING`, a group's keys sorted
 *   (overlapping batches in different orders deadlock). Only the inserter gets the row back: it owns
 *   the key. Before storing, O also looks the key up in ClickHouse's `event_keys` index: an event
 *   stored before claims existed (or by the local mode) wins — the row is pointed at it, **stored**,
 *   answered DUPLICATE.
 * - **claimed** (O, L live) — anyone else waits (polls with backoff, bounded by twice the lease),
 *   for **stored**, *absent*, or an expired lease.
 * - **claimed** (L expired) — resolved exactly by whoever meets it: if ClickHouse holds P's row, the
 *   stored row wins (→ **stored**, DUPLICATE of it); if not, compare-and-set `UPDATE` on (key, O,
 *   P.lago_id, lease expired) hands the key to the new owner with its own pointer and lease. Of two
 *   resolvers one CAS matches; the other reads again.
 * - **claimed** (O) → **stored**: O's insert returned; one `UPDATE … WHERE lago_id = P.lago_id` for
 *   the group, then ACCEPTED. Rows stay forever (keys do).
 * - **claimed** (O) → *absent*: the expression rejected O's event, or O's insert failed and
 *   ClickHouse, asked at once, does not hold P's row (a retry is then not kept waiting a lease);
 *   `DELETE … WHERE owner = O AND lago_id = P.lago_id AND state = 'claimed'`.
 *
 * **Insert timing.** Before its insert O needs half a lease left, by its own monotonic clock counted
 * from before the claim was sent (the database set L later than that); otherwise it renews
 * (`UPDATE … lease_until WHERE owner = O AND lago_id = P AND state = 'claimed'`), and a claim that
 * cannot be renewed was taken over: the insert does not happen (UNAVAILABLE). The residual
 * assumption: an insert does not become visible in ClickHouse more than half a lease after it was
 * sent (the ClickHouse request timeout must be shorter; a server that keeps applying an insert
 * its client gave up on for longer breaks it). Under it a takeover never meets a row that lands
 * later, so no key is stored twice.
 *
 * **What a crash leaves behind**, at each point of a call (test: postgres-claim-store.int-spec.ts):
 *
 * 1. after the claim, before the insert — a claimed row, no event: after the lease the next
 *    sender finds no row in ClickHouse and takes the key over (ACCEPTED once, then).
 * 2. insert failed, then the check failed too — the same as 1.
 * 3. after the insert, before marking stored — a claimed row whose event exists: after the lease
 *    the next sender finds it and marks it stored (DUPLICATE of the original); before that, senders
 *    wait. The caller got no answer or UNAVAILABLE; never two ACCEPTED.
 * 4. after marking stored, before answering — stored: every later sender gets DUPLICATE.
 *
 * Never ACCEPTED for an event not stored (the answer follows the insert); never two events of a key
 * (an event is inserted only by the key's owner, within its lease, and an owner change needs the
 * previous pointer absent from ClickHouse); no key lost (a claim either becomes stored, is deleted,
 * or expires and is taken over).
 */
export class PostgresClaimStore implements ClaimStore {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly claims: MicroBatcher<ClaimRequest, Round>;
  /** Local deadline (performance.now() ms) of each claim this process owns, by lago_id. */
  private readonly leases = new Map<string, number>();

  constructor(
    private readonly repository: ClaimRepository,
    private readonly events: StoredEvents,
    options: PostgresClaimOptions,
    metrics?: IngestionMetrics,
  ) {
    this.owner = options.owner ?? randomUUID();
    this.leaseMs = options.leaseMs;
    this.pollMs = options.pollMs ?? 5;
    this.claims = new MicroBatcher(
      (group) => this.round(group),
      MAX_CLAIM_GROUP,
      (size, wait, run) => metrics?.observeCommit('event_claim', size, wait, run),
    );
  }

  async claim(events: ClaimRequest[]): Promise<(StoredEvent | null)[]> {
    const first = await this.claims.submit(events);
    const results = first.map((r) => (typeof r === 'string' ? null : r));
    let waiting = events.map((_, i) => i).filter((i) => first[i] === 'wait');
    // Keys another process holds: poll outside the group commit (it must not stall other calls).
    const deadline = performance.now() + 2 * this.leaseMs + 1000;
    let delay = this.pollMs;
    try {
      while (waiting.length > 0) {
        if (performance.now() > deadline) {
          throw new UnavailableError(
            `event_claims: ${waiting.length} key(s) still claimed by another process after ${2 * this.leaseMs} ms`,
          );
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 200);
        const next = await this.round(waiting.map((i) => events[i]));
        waiting.forEach((i, j) => (results[i] = next[j] === 'owned' || next[j] === 'wait' ? null : next[j]));
        waiting = waiting.filter((_, j) => next[j] === 'wait');
      }
    } catch (error) {
      // The call fails as a whole: the keys it did get are free again.
      const owned = events.filter((_, i) => results[i] === null && !waiting.includes(i));
      await this.release(owned).catch(() => {});
      throw error;
    }
    return results;
  }

  /**
   * One pass over a group: claim the free keys; read the rest; settle what can be settled now.
   * A claim made here is released again if the pass fails after it.
   */
  private async round(group: ClaimRequest[]): Promise<Round[]> {
    const sorted = [...group].sort(byKey);
    const sent = performance.now();
    const inserted = await this.repository.insert(sorted.map(pointer), this.owner, this.leaseMs);
    const results = new Map<string, Round>();
    const owned = group.filter((e) => inserted.has(e.lagoId));
    for (const e of owned) this.leases.set(e.lagoId, sent + this.leaseMs);
    try {
      await this.adoptStored(owned, results);
      const others = group.filter((e) => !inserted.has(e.lagoId));
      await this.resolve(others, sent, results);
    } catch (error) {
      await this.release(owned.filter((e) => results.get(e.lagoId) === 'owned' || !results.has(e.lagoId)));
      throw error;
    }
    return group.map((e) => results.get(e.lagoId) ?? 'owned');
  }

  /** Newly claimed keys whose event ClickHouse already holds (stored without a claim): it wins. */
  private async adoptStored(owned: ClaimRequest[], results: Map<string, Round>): Promise<void> {
    if (owned.length === 0) return;
    const found = await this.events.findFirst(owned);
    const adopt = owned.flatMap((mine, i) => (found[i] ? [{ mine, found: found[i] }] : []));
    if (adopt.length === 0) return;
    await this.repository.adopt(
      adopt.map((a) => ({ mine: pointer(a.mine), found: pointer(a.found) })),
      this.owner,
    );
    for (const a of adopt) {
      this.leases.delete(a.mine.lagoId);
      results.set(a.mine.lagoId, a.found);
    }
  }

  /** Keys already in the table: stored → the original; expired → resolved; live → wait. */
  private async resolve(others: ClaimRequest[], sent: number, results: Map<string, Round>): Promise<void> {
    if (others.length === 0) return;
    const rows = new Map((await this.repository.read(others)).map((r) => [eventKey(r), r]));
    const expired: [ClaimRequest, ClaimRow][] = [];
    const stored: [ClaimRequest, ClaimRow][] = [];
    for (const e of others) {
      const row = rows.get(eventKey(e));
      if (!row)
        results.set(e.lagoId, 'wait'); // released meanwhile: claim again next round
      else if (row.state === 'stored') stored.push([e, row]);
      else if (row.expired) expired.push([e, row]);
      else results.set(e.lagoId, 'wait');
    }
    // One ClickHouse read for the originals of stored keys and the pointers of expired claims.
    const pointed = [...stored, ...expired].map(([, row]) => pointer(row));
    const found = new Map((await this.events.findAt(pointed)).map((s) => [s.lagoId, s]));
    for (const [e, row] of stored) {
      const original = found.get(row.lagoId);
      if (!original) {
        throw new UnavailableError(
          `event_claims: ${eventKey(row)} is stored as ${row.lagoId}, which ClickHouse does not hold`,
        );
      }
      results.set(e.lagoId, original);
    }
    const landed = expired.filter(([, row]) => found.has(row.lagoId));
    if (landed.length > 0) await this.repository.markStored(landed.map(([, row]) => pointer(row)));
    for (const [e, row] of landed) results.set(e.lagoId, found.get(row.lagoId)!);
    for (const [e, row] of expired) {
      if (found.has(row.lagoId)) continue;
      const took = await this.repository.takeOver(row, pointer(e), this.owner, this.leaseMs);
      if (took) this.leases.set(e.lagoId, sent + this.leaseMs);
      results.set(e.lagoId, took ? 'owned' : 'wait');
    }
  }

  async release(events: ClaimPointer[]): Promise<void> {
    for (const e of events) this.leases.delete(e.lagoId);
    await this.repository.release(events.map(pointer), this.owner);
  }

  async beforeInsert(events: StoredEvent[]): Promise<void> {
    const now = performance.now();
    const short = events.filter((e) => (this.leases.get(e.lagoId) ?? 0) - now < this.leaseMs / 2);
    if (short.length === 0) return;
    const renewed = await this.repository.renew(short.map(pointer), this.owner, this.leaseMs);
    for (const e of short) if (renewed.has(e.lagoId)) this.leases.set(e.lagoId, now + this.leaseMs);
    const lost = short.filter((e) => !renewed.has(e.lagoId));
    if (lost.length > 0) {
      await this.release(events).catch(() => {});
      throw new UnavailableError(`event_claims: ${lost.length} claim(s) expired and were taken over`);
    }
  }

  async stored(events: StoredEvent[]): Promise<void> {
    for (const e of events) this.leases.delete(e.lagoId);
    // Marking is what lets others answer without waiting out the lease; if it fails, the rows are
    // in ClickHouse and the claims still point at them, so an expired claim resolves to them.
    await this.repository.markStored(events.map(pointer)).catch(() => {});
  }

  async insertFailed(events: StoredEvent[]): Promise<void> {
    try {
      const found = new Set((await this.events.findAt(events.map(pointer))).map((e) => e.lagoId));
      await this.repository.markStored(events.filter((e) => found.has(e.lagoId)).map(pointer));
      await this.release(events.filter((e) => !found.has(e.lagoId)));
    } catch {
      // ClickHouse or PostgreSQL unreachable: the claims stay until their lease ends (crash point 2).
    } finally {
      for (const e of events) this.leases.delete(e.lagoId);
    }
  }
}
