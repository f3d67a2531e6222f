import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabase } from '../../../test/support/test-stack';
import { openPostgres } from './postgres';

// pg_terminate_backend needs a real server: PGlite serves every connection from one backend.
const onServer = process.env.DATABASE_URL ? it : it.skip;

describe('openPostgres', () => {
  onServer(
    'survives the server dropping an idle pooled connection (skipped without DATABASE_URL: PGlite has one backend)',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'postgres-int-'));
      const database = await testDatabase(dir);
      const lost: Error[] = [];
      const postgres = await openPostgres({
        url: database.url,
        dataDir: dir,
        onIdleError: (e) => lost.push(e),
      });
      try {
        const { rows } = await postgres.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const admin = new Client({ connectionString: database.url });
        await admin.connect();
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await admin.end();
        for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(lost.map((e) => e.message)).toEqual([expect.stringMatching(/terminat/)]);
        expect((await postgres.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await postgres.close();
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
