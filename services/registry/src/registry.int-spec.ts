import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlreadyExistsError } from '../../../libs/common/src/errors';
import { migratePostgres, openPostgres, type Postgres } from '../../../libs/postgres/src/postgres';
import { testDatabase } from '../../../test/support/test-stack';
import { MetricRepository } from './metric.repository';
import { validateMetric } from './metric.validation';
import { OrganizationRepository } from './organization.repository';
import { SubscriptionRepository } from './subscription.repository';
import { ApiKeyRepository, hashApiKey } from './api-key.repository';

describe('registry repositories on PostgreSQL (DATABASE_URL, or embedded PGlite)', () => {
  let dir: string;
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let postgres: Postgres;
  let orgId: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'registry-int-'));
    database = await testDatabase(dir);
    postgres = await openPostgres({ url: database.url, dataDir: database.dataDir });
    expect(await migratePostgres(postgres.pool)).toEqual([
      '0001_create_registry',
      '0002_api_key_management',
      '0003_registry_version',
    ]);
    expect(await migratePostgres(postgres.pool)).toEqual([]);
    orgId = (await new OrganizationRepository(postgres.pool).create('Int')).organization.id;
  }, 60_000);
  afterAll(async () => {
    await postgres.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores only a hash of an API key and finds the organization by the key', async () => {
    const organizations = new OrganizationRepository(postgres.pool);
    const { organization, apiKey } = await organizations.create('Keys');
    expect(await organizations.findByApiKey(apiKey)).toEqual({ ...organization, registryVersion: '1' });
    expect(await organizations.findByApiKey(`${apiKey}x`)).toBeNull();
    const { rows } = await postgres.pool.query(
      'SELECT key_sha256, key_prefix FROM api_keys WHERE organization_id = $1',
      [organization.id],
    );
    expect(rows[0].key_sha256).not.toContain(apiKey);
    expect(rows[0].key_prefix).toBe(apiKey.slice(0, 8));
  });

  it('lets exactly one of two concurrent creates take a code', async () => {
    const metrics = new MetricRepository(postgres.pool);
    const fields = validateMetric({ name: 'n', code: 'race', aggregationType: 'COUNT_AGG' });
    const results = await Promise.allSettled([metrics.create(orgId, fields), metrics.create(orgId, fields)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(AlreadyExistsError);
  });

  it('soft-deletes: the row stays, the code is free, the list skips it', async () => {
    const metrics = new MetricRepository(postgres.pool);
    const fields = validateMetric({
      name: 'n',
      code: 'gone',
      aggregationType: 'SUM_AGG',
      fieldName: 'x',
      filters: [{ key: 'k', values: ['v'] }],
    });
    const created = await metrics.create(orgId, fields);
    expect(created.filters).toEqual([{ key: 'k', values: ['v'] }]);
    expect((await metrics.softDelete(orgId, 'gone'))?.id).toBe(created.id);
    expect(await metrics.findByCode(orgId, 'gone')).toBeNull();
    expect((await metrics.list(orgId, null, 100)).map((m) => m.code)).not.toContain('gone');
    expect((await metrics.create(orgId, fields)).id).not.toBe(created.id);
    const { rows } = await postgres.pool.query(
      'SELECT count(*)::int AS n FROM billable_metrics WHERE code = $1',
      ['gone'],
    );
    expect(rows[0].n).toBe(2);
  });

  it('upserts one subscription per external id under concurrency', async () => {
    const subscriptions = new SubscriptionRepository(postgres.pool);
    const fields = {
      externalId: 'sub',
      externalCustomerId: 'cus',
      startedAt: new Date('2026-01-01Z'),
      terminatedAt: null,
    };
    const [a, b] = await Promise.all([
      subscriptions.upsert(orgId, fields),
      subscriptions.upsert(orgId, fields),
    ]);
    expect(a.id).toBe(b.id);
    const listed = await subscriptions.list(orgId, 'cus', null, 10);
    expect(listed.map((s) => s.externalId)).toEqual(['sub']);
  });

  it('increments the registry version with every change a call can depend on, and only then', async () => {
    const organizations = new OrganizationRepository(postgres.pool);
    const { organization, apiKey } = await organizations.create('Versions');
    const version = async () => BigInt((await organizations.findByApiKey(apiKey))!.registryVersion!);
    const metrics = new MetricRepository(postgres.pool);
    const subscriptions = new SubscriptionRepository(postgres.pool);
    const keys = new ApiKeyRepository(postgres.pool);
    const fields = validateMetric({ name: 'n', code: 'v', aggregationType: 'COUNT_AGG' });
    const changes: [string, () => Promise<unknown>][] = [
      ['metric created', () => metrics.create(organization.id, fields)],
      ['metric updated', () => metrics.update(organization.id, 'v', { ...fields, name: 'renamed' })],
      ['metric deleted', () => metrics.softDelete(organization.id, 'v')],
      [
        'subscription upserted',
        () =>
          subscriptions.upsert(organization.id, {
            externalId: 's',
            externalCustomerId: 'c',
            startedAt: new Date('2026-01-01Z'),
            terminatedAt: null,
          }),
      ],
      ['API key created', () => keys.create(organization.id, 'second')],
    ];
    for (const [what, change] of changes) {
      const before = await version();
      await change();
      expect({ what, after: await version() }).toEqual({ what, after: before + 1n });
    }
    const listed = await keys.list(organization.id, null, 10);
    const before = await version();
    await keys.touch(hashApiKey(apiKey), new Date());
    expect(await version()).toBe(before); // last_used_at changes nothing a call depends on
    expect((await keys.revoke(organization.id, listed[1].id)).kind).toBe('revoked');
    expect(await version()).toBe(before + 1n);
  });
});
