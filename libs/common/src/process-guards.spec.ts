import { installProcessGuards } from './process-guards';

describe('installProcessGuards', () => {
  it('logs and counts a rejection nobody handles', async () => {
    const lines: string[] = [];
    let counted = 0;
    const uninstall = installProcessGuards({ error: (m) => lines.push(m), count: () => counted++ });
    try {
      // What Node does with a rejection that has no handler (jest keeps real ones for itself).
      const stray = Promise.reject(new Error('store went away'));
      stray.catch(() => undefined);
      const reason = await stray.catch((error: unknown) => error);
      expect(process.emit('unhandledRejection', reason, stray)).toBe(true);
    } finally {
      uninstall();
    }
    expect(counted).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^unhandled promise rejection \(the process keeps serving\): Error: store went away/,
    );
  });

  it('stops listening once uninstalled', () => {
    const before = process.listenerCount('unhandledRejection');
    const uninstall = installProcessGuards({ error: () => {} });
    expect(process.listenerCount('unhandledRejection')).toBe(before + 1);
    uninstall();
    expect(process.listenerCount('unhandledRejection')).toBe(before);
  });
});
