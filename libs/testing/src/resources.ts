import { readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ClickHouseClient } from '../../clickhouse/src/clickhouse';

/** What a long-running process must keep bounded (issue 8): counted now, in this process. */
export interface ResourceSnapshot {
  /** Open file descriptors of this process (/proc/self/fd). */
  descriptors: number;
  /** Of those, descriptors on files under the ClickHouse data directory. */
  storeDescriptors: number;
  /**
   * Of those, descriptors on /proc files: the engine keeps a thread's statistics files open for each
   * of its threads, so these follow `threads`, which its fixed-size pools bound (~160 here after the
   * first merges), not the number of calls.
   */
  procDescriptors: number;
  /** Threads of this process (/proc/self/task). */
  threads: number;
  /** `.sst` files of the `event_keys` EmbeddedRocksDB table. */
  keyIndexFiles: number;
  /** Active parts of the `events` table. */
  eventParts: number;
  /** Resident set size, bytes. */
  rssBytes: number;
}

function openDescriptors(under: string): { all: number; under: number; proc: number } {
  const fds = readdirSync('/proc/self/fd');
  let inside = 0;
  let proc = 0;
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(under)) inside++;
      else if (target.startsWith('/proc/')) proc++;
    } catch {
      // closed between the listing and the read
    }
  }
  return { all: fds.length, under: inside, proc };
}

function countFiles(dir: string, suffix: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) n += countFiles(full, suffix);
    else if (entry.name.endsWith(suffix)) n++;
  }
  return n;
}

async function rows<T>(clickhouse: ClickHouseClient, query: string): Promise<T[]> {
  return (await clickhouse.query({ query, format: 'JSONEachRow' })).json<T>();
}

/**
 * The `.sst` files of an EmbeddedRocksDB table of the embedded ClickHouse whose data directory is
 * `dataDir` (its data paths may be relative to it).
 */
export async function rocksDbFiles(
  clickhouse: ClickHouseClient,
  table: string,
  dataDir: string,
): Promise<number> {
  const [row] = await rows<{ data_paths: string[] }>(
    clickhouse,
    `SELECT data_paths FROM system.tables WHERE database = currentDatabase() AND name = '${table}'`,
  );
  return (row?.data_paths ?? [])
    .map((p) => (path.isAbsolute(p) ? p : path.join(dataDir, p)))
    .reduce((n, dir) => n + (statSync(dir, { throwIfNoEntry: false }) ? countFiles(dir, '.sst') : 0), 0);
}

/**
 * Descriptors, key-index files, `events` parts and RSS of this process, which runs the embedded
 * ClickHouse whose data directory is `dataDir` (Linux only: reads /proc). Used by the soak test and
 * the bench's long unary phase.
 */
export async function resourceSnapshot(
  clickhouse: ClickHouseClient,
  dataDir: string,
): Promise<ResourceSnapshot> {
  const [parts] = await rows<{ parts: string }>(
    clickhouse,
    `SELECT count() AS parts FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active`,
  );
  const fds = openDescriptors(path.resolve(dataDir));
  return {
    descriptors: fds.all,
    storeDescriptors: fds.under,
    procDescriptors: fds.proc,
    threads: readdirSync('/proc/self/task').length,
    keyIndexFiles: await rocksDbFiles(clickhouse, 'event_keys', dataDir),
    eventParts: Number(parts.parts),
    rssBytes: process.memoryUsage.rss(),
  };
}
