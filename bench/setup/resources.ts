import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { procStatusBytes } from './rss';

/**
 * What a long-running server must keep bounded (issue 8), read from outside the server process:
 * /proc/<pid> and the embedded ClickHouse's data directory (the bench cannot open the engine while
 * the server holds it).
 */
export interface ServerResources {
  /** Open descriptors of the server process. */
  descriptors: number;
  /** Of those, descriptors on /proc files (the engine's per-thread statistics: they follow `threads`). */
  procDescriptors: number;
  /** Its threads (the engine keeps /proc files open per thread, so descriptors follow them). */
  threads: number;
  /** RocksDB table files (`.sst`) in the data directory: the key index is the only RocksDB table. */
  sstFiles: number;
  /**
   * Active parts of `events`: its part directories less those covered by a merged part (ClickHouse
   * keeps merged-away parts on disk for `old_parts_lifetime`, 8 minutes; it decides the same way
   * which parts are active when it loads a table).
   */
  eventParts: number;
  rssBytes: number;
}

function count(dir: string, test: (name: string, isDir: boolean) => boolean, recurse: boolean): number {
  let n = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // removed while we walked (a merge's temporary directory)
  }
  for (const e of entries) {
    if (test(e.name, e.isDirectory())) n++;
    if (recurse && e.isDirectory()) n += count(path.join(dir, e.name), test, recurse);
  }
  return n;
}

/** The `events` table's directory, from its metadata file (`ATTACH TABLE _ UUID '…'`). */
function eventsDir(clickhouseDir: string): string | null {
  const metadata = readFileSync(path.join(clickhouseDir, 'metadata', 'default', 'events.sql'), 'utf8');
  const uuid = /UUID '([0-9a-f-]{36})'/.exec(metadata)?.[1];
  return uuid ? path.join(clickhouseDir, 'store', uuid.slice(0, 3), uuid) : null;
}

/** A part directory: `<partition>_<min block>_<max block>_<level>[_<mutation>]`. */
const PART = /^([^_]+)_(\d+)_(\d+)_(\d+)(?:_\d+)?$/;

/** Parts not covered by another part of the same partition (a merge result spans their blocks). */
function activeParts(tableDir: string): number {
  let names: string[];
  try {
    names = readdirSync(tableDir);
  } catch {
    return -1;
  }
  const parts = names.flatMap((name) => {
    const m = PART.exec(name);
    return m ? [{ partition: m[1], min: Number(m[2]), max: Number(m[3]), level: Number(m[4]) }] : [];
  });
  return parts.filter(
    (p) =>
      !parts.some(
        (q) =>
          q !== p &&
          q.partition === p.partition &&
          q.min <= p.min &&
          q.max >= p.max &&
          (q.max - q.min > p.max - p.min || q.level > p.level),
      ),
  ).length;
}

function descriptorsOf(pid: number): { all: number; proc: number } {
  const fds = readdirSync(`/proc/${pid}/fd`);
  let proc = 0;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('/proc/')) proc++;
    } catch {
      // closed meanwhile
    }
  }
  return { all: fds.length, proc };
}

export function serverResources(pid: number, clickhouseDir: string): ServerResources {
  const table = eventsDir(clickhouseDir);
  const fds = descriptorsOf(pid);
  return {
    descriptors: fds.all,
    procDescriptors: fds.proc,
    threads: readdirSync(`/proc/${pid}/task`).length,
    sstFiles: count(
      path.join(clickhouseDir, 'store'),
      (name, isDir) => !isDir && name.endsWith('.sst'),
      true,
    ),
    eventParts: table ? activeParts(table) : -1,
    rssBytes: procStatusBytes(pid, 'VmRSS') ?? -1,
  };
}
