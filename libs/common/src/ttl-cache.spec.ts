import { TtlCache } from './auth';

describe('TtlCache', () => {
  it('shares one load between concurrent gets, even with a zero TTL', async () => {
    const cache = new TtlCache<number>(0);
    let loads = 0;
    const load = () => new Promise<number>((r) => setTimeout(() => r(++loads), 5));
    const values = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    expect(values).toEqual([1, 1, 1]);
    expect(await cache.get('k', load)).toBe(2);
  });

  it('keeps an answer for the TTL and forgets a failure at once', async () => {
    const cache = new TtlCache<number>(60_000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 7)).toBe(7);
    expect(await cache.get('k', async () => 8)).toBe(7);
  });

  it('keeps each answer for its own TTL: a found record long, "not found" not at all', async () => {
    const cache = new TtlCache<string | null>(0, (value) => (value === null ? 0 : 60_000));
    expect(await cache.get('missing', async () => null)).toBeNull();
    expect(await cache.get('missing', async () => 'created since')).toBe('created since');
    expect(await cache.get('missing', async () => 'changed again')).toBe('created since');
  });
});
