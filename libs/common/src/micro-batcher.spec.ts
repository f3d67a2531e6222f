import { MicroBatcher } from './micro-batcher';

function deferred(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

describe('MicroBatcher', () => {
  it('runs the first submission at once and groups the ones that arrive meanwhile', async () => {
    const gate = deferred();
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await gate.promise;
      return items.map((x) => x * 10);
    }, 100);
    const first = batcher.submit([1]);
    const second = batcher.submit([2, 3]);
    const third = batcher.submit([4]);
    gate.release();
    expect(await first).toEqual([10]);
    expect(await second).toEqual([20, 30]);
    expect(await third).toEqual([40]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('respects maxItems and fails only the callers of a failed run', async () => {
    const gate = deferred();
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await gate.promise;
      if (items.includes(3)) throw new Error('store down');
      return items;
    }, 2);
    const a = batcher.submit([1]);
    const b = batcher.submit([2, 3]);
    const c = batcher.submit([4]);
    gate.release();
    await expect(a).resolves.toEqual([1]);
    await expect(b).rejects.toThrow('store down');
    await expect(c).resolves.toEqual([4]);
    expect(runs).toEqual([[1], [2, 3], [4]]);
  });
});
