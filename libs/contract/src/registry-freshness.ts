/**
 * Registry freshness across services and replicas (SPEC §2.1 "Consistency across services"): a
 * registry change applies to every call that starts after the change's response was sent, while
 * ingestion and aggregation keep metric and subscription definitions cached.
 *
 * Protocol, in the order the tests walk it (registry-freshness.spec.ts):
 * 1. **Version.** Each organization has a `registry_version` in PostgreSQL; every change to its
 *    metrics, subscriptions or API keys increments it in the change's own transaction (triggers,
 *    libs/postgres/migrations/0003_registry_version.sql). A change that returned is committed, so
 *    its increment is visible to every read that starts afterwards, on any registry replica.
 * 2. **Barrier.** Each call, when authenticated, waits for a GetCallerOrganization that *started
 *    after the call started* (VersionBarrier). It authenticates the key afresh (a revoked key fails
 *    here) and returns the organization's current version V. Concurrent calls of one key share one
 *    read: a call arriving while a read is in flight waits for the next one, so a call waits for at
 *    most two registry round trips, and a busy key costs one read per round trip, not per call.
 * 3. **Tagged cache.** A definition loaded for a call is tagged with that call's V (it was loaded
 *    after V was read, so it reflects every change up to V, or later). A cached entry serves a call
 *    only if its tag is ≥ the call's V (VersionedCache); otherwise it is loaded again.
 * So an entry that serves a call reflects at least every change committed before the call started:
 * never older. What a crash leaves behind: nothing — versions live in PostgreSQL, caches in memory;
 * a restarted process starts with empty caches. A registry that cannot be reached fails the call
 * (UNAVAILABLE) instead of serving a cache it cannot check.
 */

/** Registry versions are int64 counters sent as decimal text. */
export function parseVersion(text: string | undefined): bigint | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  return BigInt(text);
}

interface KeyState<V> {
  running: Promise<V> | null;
  queued: Promise<V> | null;
}

/**
 * Step 2: `read(key)` results that started after the caller asked, shared by concurrent callers of
 * one key. Nothing is kept once a key has no read running or queued.
 */
export class VersionBarrier<V> {
  private readonly states = new Map<string, KeyState<V>>();

  constructor(private readonly read: (key: string) => Promise<V>) {}

  /** The result of a read that started no earlier than this call; rejects as that read did. */
  get(key: string): Promise<V> {
    let state = this.states.get(key);
    if (!state) {
      state = { running: null, queued: null };
      this.states.set(key, state);
    }
    if (!state.running) return this.start(key, state);
    // The running read started before this call: wait for the next one, shared by all who wait.
    if (state.queued) return state.queued;
    const s = state;
    const settled = s.running!.then(
      () => undefined,
      () => undefined,
    );
    const next = settled.then(() => {
      s.queued = null;
      return this.start(key, s);
    });
    s.queued = next;
    return next;
  }

  /** Keys with a read running or queued (for tests and bounds). */
  get size(): number {
    return this.states.size;
  }

  private start(key: string, state: KeyState<V>): Promise<V> {
    const read = this.read(key);
    state.running = read;
    const done = () => {
      if (state.running === read) state.running = null;
      if (!state.running && !state.queued && this.states.get(key) === state) this.states.delete(key);
    };
    read.then(done, done);
    return read;
  }
}

interface Entry<V> {
  version: bigint;
  value: Promise<V>;
  pending: boolean;
  expires: number;
}

/**
 * Step 3: values tagged with the registry version they were loaded at. `get` serves an entry only
 * to a call whose version is ≤ the entry's; `keepMs` only bounds how long an unused entry stays in
 * memory (it plays no part in freshness). A failed load is not kept.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly keepMs: (value: V) => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The value for `key` as of `version` or later; `loaded` tells whether `load` ran. */
  get(key: string, version: bigint, load: () => Promise<V>): { value: Promise<V>; loaded: boolean } {
    const hit = this.entries.get(key);
    if (hit && hit.version >= version && (hit.pending || hit.expires > Date.now()))
      return { value: hit.value, loaded: false };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry: Entry<V> = { version, value: load(), pending: true, expires: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        entry.pending = false;
        entry.expires = Date.now() + this.keepMs(value);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return { value: entry.value, loaded: true };
  }
}
