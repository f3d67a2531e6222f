import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Migration {
  version: string;
  statements: string[];
}

/** What a store must offer the runner. */
export interface MigrationTarget {
  readonly store: string;
  /** Prepares the bookkeeping table; returns the versions already applied. */
  appliedVersions(): Promise<Set<string>>;
  /** Runs one migration's statements and records its version. */
  apply(migration: Migration): Promise<void>;
}

const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** Numbered plain SQL files (`0001_create_events.sql` …), in order; statements end with `;` at a line end. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((name) => FILE.test(name))
    .sort()
    .map((name) => ({
      version: name.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(path.join(dir, name), 'utf8')),
    }));
}

export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The one runner for both stores, at start-up, in tests and in `npm run migrate`. Idempotent. */
export async function migrate(
  target: MigrationTarget,
  migrations: Migration[],
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const applied = await target.appliedVersions();
  const ran: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    log(`${target.store}: applying ${migration.version}`);
    await target.apply(migration);
    ran.push(migration.version);
  }
  return ran;
}
