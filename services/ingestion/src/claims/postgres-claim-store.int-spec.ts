import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CLAIM_MIGRATIONS,
  migratePostgres,
  openPostgres,
  type Postgres,
} from '../../../../libs/postgres/src/postgres';
import { testDatabase } from '../../../../test/support/test-stack';
import { eventKey, type EventKeyFields, type StoredEvent } from '../event';
import type { ClaimRequest, StoredEvents } from './claim-store';
import { ClaimRepository } from './claim.repository';
import { PostgresClaimStore } from './postgres-claim-store';

/** ClickHouse as the claim store sees it: events by key (the index) and by lago_id (the pointer). */
class FakeEvents implements StoredEvents {
  readonly rows = new Map<string, StoredEvent>();
  failing = false;
  add(e: StoredEvent): void {
    this.rows.set(e.lagoId, e);
  }
  async findFirst(keys: EventKeyFields[]): Promise<(StoredEvent | null)[]> {
    if (this.failing) throw new Error('clickhouse down');
    const byKey = new Map([...this.rows.values()].map((e) => [eventKey(e), e]));
    return keys.map((k) => byKey.get(eventKey(k)) ?? null);
  }
  async findAt(pointers: { lagoId: string }[]): Promise<StoredEvent[]> {
    if (this.failing) throw new Error('clickhouse down');
    return pointers.flatMap((p) => this.rows.get(p.lagoId) ?? []);
  }
}

const ORG = randomUUID();
const request = (transactionId: string, v = 1): ClaimRequest => ({
  organizationId: ORG,
  externalSubscriptionId: 's',
  transactionId,
  externalCustomerId: '',
  code: 'c',
  timestamp: new Date('2026-01-05T00:00:00.123Z'),
  properties: { v },
  preciseTotalAmountCents: null,
  lagoSubscriptionId: '',
  lagoCustomerId: '',
  lagoId: randomUUID(),
});
const stored = (r: ClaimRequest): StoredEvent => ({ ...r, createdAtUs: 1, warnings: [] });

/**
 * Walks the protocol of PostgresClaimStore in its docstring's order, on a real PostgreSQL
 * (DATABASE_URL, else PGlite) with ClickHouse faked: the states of a key and their transitions, then
 * the crash points. Two store instances are two processes (two owners).
 */
describe('PostgresClaimStore', () => {
  const LEASE_MS = 400;
  let dir: string;
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let postgres: Postgres;
  let repository: ClaimRepository;
  let events: FakeEvents;
  let a: PostgresClaimStore;
  let b: PostgresClaimStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'claims-int-'));
    database = await testDatabase(dir);
    postgres = await openPostgres({ url: database.url, dataDir: database.dataDir });
    expect(await migratePostgres(postgres.pool, undefined, CLAIM_MIGRATIONS)).toEqual([
      '0001_create_event_claims',
    ]);
    repository = new ClaimRepository(postgres.pool);
  }, 60_000);
  beforeEach(() => {
    events = new FakeEvents();
    a = new PostgresClaimStore(repository, events, { leaseMs: LEASE_MS });
    b = new PostgresClaimStore(repository, events, { leaseMs: LEASE_MS });
  });
  afterAll(async () => {
    await postgres?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = async (r: ClaimRequest) => (await repository.read([r]))[0];
  /** Owner A stores an event through the whole protocol. */
  const storeAs = async (store: PostgresClaimStore, r: ClaimRequest) => {
    expect(await store.claim([r])).toEqual([null]);
    await store.beforeInsert([stored(r)]);
    events.add(stored(r));
    await store.stored([stored(r)]);
  };

  describe('states and transitions', () => {
    it('absent → claimed: only the inserter owns the key, with its pointer and lease', async () => {
      const r = request('t-claim');
      const [first, second] = await Promise.all([a.claim([r]), b.claim([{ ...r, lagoId: randomUUID() }])]);
      // B met A's live claim and waited for it; A never stored, so after the lease B took it over.
      expect(first).toEqual([null]);
      expect(second).toEqual([null]);
      expect(await row(r)).toMatchObject({ state: 'claimed', owner: b.owner, code: 'c' });
    });

    it('absent → stored: an event ClickHouse already holds (stored without a claim) wins', async () => {
      const old = stored(request('t-adopt', 1));
      events.add(old);
      expect(await a.claim([request('t-adopt', 2)])).toEqual([old]);
      expect(await row(old)).toMatchObject({ state: 'stored', lagoId: old.lagoId });
    });

    it('claimed, live: another process waits, and gets the owner’s event once it is stored', async () => {
      const r = request('t-wait');
      expect(await a.claim([r])).toEqual([null]);
      const waiting = b.claim([request('t-wait', 2)]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      events.add(stored(r));
      await a.stored([stored(r)]);
      expect(await waiting).toEqual([stored(r)]);
    });

    it('claimed, expired, its event in ClickHouse: the stored row wins (crash after the insert)', async () => {
      const r = request('t-landed');
      expect(await a.claim([r])).toEqual([null]);
      events.add(stored(r)); // A inserted, then died before marking stored
      const started = performance.now();
      expect(await b.claim([request('t-landed', 2)])).toEqual([stored(r)]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(LEASE_MS * 0.8);
      expect(await row(r)).toMatchObject({ state: 'stored', owner: a.owner, lagoId: r.lagoId });
    });

    it('claimed, expired, no event: taken over by compare-and-set; the old owner can no longer insert (crash before the insert)', async () => {
      const r = request('t-takeover');
      const next = request('t-takeover', 2);
      expect(await a.claim([r])).toEqual([null]);
      expect(await b.claim([next])).toEqual([null]);
      expect(await row(r)).toMatchObject({ state: 'claimed', owner: b.owner, lagoId: next.lagoId });
      // A wakes up: its lease is gone, renewing fails, so it does not insert.
      await expect(a.beforeInsert([stored(r)])).rejects.toThrow(/taken over/);
      // A stale compare-and-set (A's old row) matches nothing.
      expect(
        await repository.takeOver({ ...r, state: 'claimed', owner: a.owner, expired: true }, r, a.owner, 1),
      ).toBe(false);
    });

    it('claimed → stored: later claims get the original at once', async () => {
      const r = request('t-stored');
      await storeAs(a, r);
      expect(await row(r)).toMatchObject({ state: 'stored' });
      const started = performance.now();
      expect(await b.claim([request('t-stored', 2)])).toEqual([stored(r)]);
      expect(await a.claim([request('t-stored', 3)])).toEqual([stored(r)]);
      expect(performance.now() - started).toBeLessThan(LEASE_MS / 2);
    });

    it('claimed → absent: a rejected event frees its key at once', async () => {
      const r = request('t-release');
      expect(await a.claim([r])).toEqual([null]);
      await a.release([r]);
      expect(await row(r)).toBeUndefined();
      expect(await b.claim([request('t-release', 2)])).toEqual([null]);
    });

    it('before the insert, a claim with less than half its lease left is renewed', async () => {
      const r = request('t-renew');
      expect(await a.claim([r])).toEqual([null]);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 0.6));
      await a.beforeInsert([stored(r)]);
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 0.6));
      expect(await row(r)).toMatchObject({ state: 'claimed', owner: a.owner, expired: false });
    });
  });

  describe('the insert failed', () => {
    it('ClickHouse does not hold it: the claim is deleted, a retry elsewhere owns the key at once', async () => {
      const r = request('t-failed');
      expect(await a.claim([r])).toEqual([null]);
      await a.insertFailed([stored(r)]);
      expect(await row(r)).toBeUndefined();
      expect(await b.claim([request('t-failed', 2)])).toEqual([null]);
    });

    it('ClickHouse holds it anyway (the answer was lost): marked stored, a retry gets it', async () => {
      const r = request('t-lost-answer');
      expect(await a.claim([r])).toEqual([null]);
      events.add(stored(r));
      await a.insertFailed([stored(r)]);
      expect(await row(r)).toMatchObject({ state: 'stored' });
      expect(await b.claim([request('t-lost-answer', 2)])).toEqual([stored(r)]);
    });

    it('ClickHouse is unreachable too: the claim stays for its lease (crash point 2)', async () => {
      const r = request('t-unreachable');
      expect(await a.claim([r])).toEqual([null]);
      events.failing = true;
      await a.insertFailed([stored(r)]);
      events.failing = false;
      expect(await row(r)).toMatchObject({ state: 'claimed', owner: a.owner });
    });
  });

  it('two processes claiming the same 300 keys in opposite orders, in concurrent groups: no deadlock, every key claimed', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `t-many-${i}`);
    const mine = (store: PostgresClaimStore, order: string[]) =>
      Promise.all(
        [0, 1, 2].map((part) => store.claim(order.filter((_, i) => i % 3 === part).map((t) => request(t)))),
      ).then((groups) => groups.flat().filter((r) => r === null).length);
    // Each owner stores nothing: the loser of a key waits for the lease, then takes it over; count
    // the owners at the end instead.
    const [ownedByA, ownedByB] = await Promise.all([mine(a, keys), mine(b, [...keys].reverse())]);
    expect(ownedByA + ownedByB).toBeGreaterThanOrEqual(300);
    const rows = await repository.read(keys.map((t) => request(t)));
    expect(rows).toHaveLength(300);
  }, 20_000);
});
