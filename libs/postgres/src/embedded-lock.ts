import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { StartupError } from '../../observability/src/listen-error';

/** Who holds an embedded PostgreSQL data directory, and where it serves it. */
export interface EmbeddedOwner {
  pid: number;
  /** `host:port` of its PGlite socket. */
  address: string;
}

/** The lock file of a PGlite data directory: beside it, `<dataDir>.pid` (PGlite itself takes no lock). */
export const lockFileOf = (dataDir: string) => `${dataDir.replace(/\/+$/, '')}.pid`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live process serving `dataDir`, or null (no lock file, or one left by a process that is gone). */
export function embeddedOwner(dataDir: string): EmbeddedOwner | null {
  try {
    const owner = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as EmbeddedOwner;
    return Number.isInteger(owner.pid) && owner.pid !== process.pid && alive(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock before PGlite opens `dataDir`: opening a live directory twice corrupts it. Throws a
 * StartupError naming the owner and what to do instead. A stale lock (its process gone) is replaced.
 */
export function lockEmbedded(dataDir: string): { publish(address: string): void; release(): void } {
  const owner = embeddedOwner(dataDir);
  if (owner) {
    throw new StartupError(
      `embedded PostgreSQL in ${dataDir} is in use by process ${owner.pid} (serving on ${owner.address}): ` +
        `stop it, or connect to it with DATABASE_URL=postgres://postgres@${owner.address}/postgres`,
    );
  }
  const file = lockFileOf(dataDir);
  const write = (address: string) => writeFileSync(file, JSON.stringify({ pid: process.pid, address }));
  write('');
  return {
    publish: write,
    release: () => {
      const current = (() => {
        try {
          return (JSON.parse(readFileSync(file, 'utf8')) as EmbeddedOwner).pid;
        } catch {
          return undefined;
        }
      })();
      if (current === process.pid) rmSync(file, { force: true });
    },
  };
}
