import { status } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import { unary } from '../../libs/testing/src/clients';
import {
  CreateApiKeyRequest,
  ListApiKeysRequest,
  ListBillableMetricsRequest,
  RevokeApiKeyRequest,
  type ApiKey,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api, expectError } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** CreateApiKey / ListApiKeys / RevokeApiKey (SPEC §2.1, added 2026-11-30), through the real API. */
describe('API keys', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  const create = (key: string, name: string) =>
    unary(t.clients.registry, 'createApiKey', CreateApiKeyRequest.fromPartial({ name }), key);
  const list = (key: string, pageSize = 0, pageToken = '') =>
    unary(t.clients.registry, 'listApiKeys', ListApiKeysRequest.fromPartial({ pageSize, pageToken }), key);
  const revoke = (key: string, id: string) =>
    unary(t.clients.registry, 'revokeApiKey', RevokeApiKeyRequest.fromPartial({ id }), key);
  const listMetrics = (key: string) =>
    unary(t.clients.registry, 'listBillableMetrics', ListBillableMetricsRequest.fromPartial({}), key);

  async function allKeys(key: string): Promise<ApiKey[]> {
    const keys: ApiKey[] = [];
    let token = '';
    do {
      const page = await list(key, 2, token);
      keys.push(...page.apiKeys);
      token = page.nextPageToken;
    } while (token);
    return keys;
  }

  it('creates a key whose secret is shown once and works at once; lists keys without secrets', async () => {
    const { apiKey: first } = await t.newOrganization();
    const created = await create(first, 'ci');
    expect(created.key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({ name: 'ci', prefix: created.key.slice(0, 8) });
    expect(created.apiKey?.revokedAt).toBeUndefined();
    expect(created.apiKey?.createdAt).toBeInstanceOf(Date);
    await listMetrics(created.key);
    // Accepted by the other services too (the metric is unknown: NOT_FOUND, not UNAUTHENTICATED).
    const window = { from: new Date(0), to: new Date(1000) };
    await expectError(
      api(t, created.key).usage({ externalSubscriptionId: 's', code: 'none', ...window }),
      status.NOT_FOUND,
    );

    await create(first, 'third');
    const keys = await allKeys(first);
    expect(keys.map((k) => k.name)).toEqual(['default', 'ci', 'third']);
    expect(keys[1].id).toBe(created.apiKey?.id);
    expect(JSON.stringify(keys)).not.toContain(created.key);
    expect(JSON.stringify(keys)).not.toContain(createHash('sha256').update(created.key).digest('hex'));
    // last_used_at: approximate, written off the call's path.
    let used: ApiKey | undefined;
    for (let i = 0; i < 50 && !used?.lastUsedAt; i++) {
      used = (await allKeys(first)).find((k) => k.id === created.apiKey?.id);
      if (!used?.lastUsedAt) await new Promise((r) => setTimeout(r, 50));
    }
    expect(used?.lastUsedAt?.getTime()).toBeGreaterThanOrEqual(created.apiKey!.createdAt!.getTime() - 1000);
  });

  it('revokes a key effective on its very next call, keeps the last active key, and names bad ids', async () => {
    const { apiKey: first } = await t.newOrganization();
    const second = await create(first, 'second');
    const [firstKey] = (await list(first)).apiKeys;
    await listMetrics(second.key); // cached as valid in the registry's resolver

    const revoked = await revoke(first, second.apiKey!.id);
    expect(revoked.id).toBe(second.apiKey!.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    await expectError(listMetrics(second.key), status.UNAUTHENTICATED, 'authorization');
    await expectError(create(second.key, 'x'), status.UNAUTHENTICATED);
    // Revoking it again changes nothing.
    expect((await revoke(first, second.apiKey!.id)).revokedAt).toEqual(revoked.revokedAt);

    await expectError(revoke(first, firstKey.id), status.FAILED_PRECONDITION, /last active API key/);
    await listMetrics(first); // still works

    // A key may revoke itself, as long as another stays active.
    const third = await create(first, 'third');
    await revoke(third.key, third.apiKey!.id);
    await expectError(listMetrics(third.key), status.UNAUTHENTICATED);

    await expectError(revoke(first, 'not-a-uuid'), status.INVALID_ARGUMENT, /^id: /);
    await expectError(revoke(first, ''), status.INVALID_ARGUMENT, /^id: required/);
    await expectError(
      revoke(first, '00000000-0000-4000-8000-000000000000'),
      status.NOT_FOUND,
      /^id: no API key/,
    );
    await expectError(list(first, 1001), status.INVALID_ARGUMENT, /^page_size: /);
    await expectError(list(first, 1, 'garbage'), status.INVALID_ARGUMENT, /^page_token: /);
    await expectError(create(first, 'x'.repeat(256)), status.INVALID_ARGUMENT, /^name: /);
  });

  it('keeps each organization to its own keys', async () => {
    const acme = (await t.newOrganization('Acme')).apiKey;
    const globex = (await t.newOrganization('Globex')).apiKey;
    const acmeExtra = await create(acme, 'acme extra');
    const globexKeys = await allKeys(globex);
    expect(globexKeys.map((k) => k.name)).toEqual(['default']);
    expect((await allKeys(acme)).map((k) => k.name)).toEqual(['default', 'acme extra']);
    // Another organization's key id is NOT_FOUND, and stays active.
    await expectError(revoke(globex, acmeExtra.apiKey!.id), status.NOT_FOUND);
    await listMetrics(acmeExtra.key);
    await create(globex, 'globex extra');
    await expectError(revoke(acme, globexKeys[0].id), status.NOT_FOUND);
    await listMetrics(globex);
  });
});
