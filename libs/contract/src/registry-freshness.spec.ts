import { parseVersion, VersionBarrier, VersionedCache } from './registry-freshness';

/** A read whose answer the test releases: resolves with what `release` is given. */
function controllableReads() {
  const started: { key: string; resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const read = (key: string) =>
    new Promise<number>((resolve, reject) => started.push({ key, resolve, reject }));
  return { read, started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

// The protocol's steps, in the order of registry-freshness.ts.
describe('registry freshness', () => {
  describe('1. versions', () => {
    it('parses the int64 text the registry sends, and nothing else', () => {
      expect(parseVersion('0')).toBe(0n);
      expect(parseVersion('9007199254740993')).toBe(9007199254740993n);
      expect(parseVersion(undefined)).toBeNull();
      expect(parseVersion('-1')).toBeNull();
      expect(parseVersion('')).toBeNull();
    });
  });

  describe('2. the barrier: a read that started after the call', () => {
    it('starts a read at once when none is running', async () => {
      const { read, started } = controllableReads();
      const barrier = new VersionBarrier(read);
      const answer = barrier.get('k');
      expect(started).toHaveLength(1);
      started[0].resolve(7);
      await expect(answer).resolves.toBe(7);
      expect(barrier.size).toBe(0);
    });

    it('makes a call that arrives during a read wait for the next read, shared by all who arrived meanwhile', async () => {
      const { read, started } = controllableReads();
      const barrier = new VersionBarrier(read);
      const first = barrier.get('k');
      const second = barrier.get('k'); // the running read started before this call
      const third = barrier.get('k');
      expect(started).toHaveLength(1);
      started[0].resolve(1); // e.g. the version before a change that returned in between
      await expect(first).resolves.toBe(1);
      await tick();
      expect(started).toHaveLength(2);
      started[1].resolve(2);
      await expect(second).resolves.toBe(2);
      await expect(third).resolves.toBe(2);
    });

    it('keys do not wait for each other', () => {
      const { read, started } = controllableReads();
      const barrier = new VersionBarrier(read);
      void barrier.get('a');
      void barrier.get('b');
      expect(started.map((s) => s.key)).toEqual(['a', 'b']);
    });

    it('passes a failed read to its callers (a revoked key, a registry down) and still reads again for the waiting ones', async () => {
      const { read, started } = controllableReads();
      const barrier = new VersionBarrier(read);
      const first = barrier.get('k');
      const second = barrier.get('k');
      started[0].reject(new Error('revoked'));
      await expect(first).rejects.toThrow('revoked');
      await tick();
      started[1].resolve(3);
      await expect(second).resolves.toBe(3);
      expect(barrier.size).toBe(0);
    });
  });

  describe('3. the tagged cache', () => {
    it('serves an entry to calls at its version or older, and loads again for a newer version', async () => {
      const cache = new VersionedCache<string>(() => 60_000);
      let loads = 0;
      const load = (v: string) => () => {
        loads++;
        return Promise.resolve(v);
      };
      expect(await cache.get('org', 5n, load('at 5')).value).toBe('at 5');
      expect(await cache.get('org', 5n, load('unused')).value).toBe('at 5');
      expect(await cache.get('org', 4n, load('unused')).value).toBe('at 5');
      expect(loads).toBe(1);
      const newer = cache.get('org', 6n, load('at 6'));
      expect(newer.loaded).toBe(true);
      expect(await newer.value).toBe('at 6');
      expect(await cache.get('org', 5n, load('unused')).value).toBe('at 6');
      expect(loads).toBe(2);
    });

    it('shares a load in flight with calls at its version, and keeps no failed load', async () => {
      const cache = new VersionedCache<string>(() => 60_000);
      let fail = true;
      let loads = 0;
      const load = () => {
        loads++;
        return fail ? Promise.reject(new Error('down')) : Promise.resolve('ok');
      };
      const a = cache.get('org', 1n, load);
      const b = cache.get('org', 1n, load);
      expect(b.loaded).toBe(false);
      await expect(a.value).rejects.toThrow('down');
      await expect(b.value).rejects.toThrow('down');
      fail = false;
      expect(await cache.get('org', 1n, load).value).toBe('ok');
      expect(loads).toBe(2);
    });

    it('forgets an unused entry after its keep time (memory only)', async () => {
      const cache = new VersionedCache<string>(() => 0);
      await cache.get('org', 1n, () => Promise.resolve('a')).value;
      await new Promise((resolve) => setTimeout(resolve, 2));
      expect(cache.get('org', 1n, () => Promise.resolve('b')).loaded).toBe(true);
    });
  });
});
