import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType, type Event } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  GetEventRequest,
  ListEventsRequest,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { api, at, expectError } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** GetEvent / ListEvents (SPEC §2.2, added 2026-11-30), through the real API. */
describe('finding events', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  const getEvent = (key: string, externalSubscriptionId: string, transactionId: string) =>
    unary(
      t.clients.ingestion,
      'getEvent',
      GetEventRequest.fromPartial({ externalSubscriptionId, transactionId }),
      key,
    );
  const listEvents = (key: string, request: Partial<ListEventsRequest>) =>
    unary(t.clients.ingestion, 'listEvents', ListEventsRequest.fromPartial(request), key);

  /** Every page, following next_page_token, `pageSize` at a time. */
  async function listAll(key: string, request: Partial<ListEventsRequest>, between?: () => Promise<void>) {
    const events: Event[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await listEvents(key, { ...request, pageToken });
      events.push(...page.events);
      pageToken = page.nextPageToken;
      pages += 1;
      if (between) await between();
    } while (pageToken);
    return { events, pages };
  }

  it('returns a stored event with the warnings it was accepted with, or NOT_FOUND', async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.createMetric({ code: 'gb', aggregationType: AggregationType.SUM_AGG, fieldName: 'gb' });
    const accepted = await a.ingest({
      transactionId: 'tx-1',
      externalSubscriptionId: 'sub',
      code: 'gb',
      timestamp: at('2026-01-05T10:00:00.123Z'),
      properties: { gb: 'lots', region: 'eu' },
      preciseTotalAmountCents: '12.50',
    });
    expect(accepted.warnings).toEqual(['unknown_subscription', 'invalid_aggregation_property']);
    const found = await getEvent(apiKey, 'sub', 'tx-1');
    expect(found).toEqual({ ...accepted.event, warnings: accepted.warnings });
    expect(found).toMatchObject({
      properties: { gb: 'lots', region: 'eu' },
      preciseTotalAmountCents: '12.5',
      timestamp: at('2026-01-05T10:00:00.123Z'),
    });
    // A duplicate is answered with the original, which keeps its warnings.
    await a.ingest({
      transactionId: 'tx-1',
      externalSubscriptionId: 'sub',
      code: 'gb',
      properties: { gb: 1 },
    });
    expect((await getEvent(apiKey, 'sub', 'tx-1')).warnings).toEqual(accepted.warnings);

    await expectError(getEvent(apiKey, 'sub', 'tx-2'), status.NOT_FOUND, /tx-2/);
    await expectError(getEvent(apiKey, 'other-sub', 'tx-1'), status.NOT_FOUND);
    await expectError(getEvent(apiKey, 'sub', ''), status.INVALID_ARGUMENT, /^transaction_id: required/);
  });

  it('lists newest created_at first, filtered by subscription, code and [from, to), in pages', async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    const sent = Array.from({ length: 30 }, (_, i) => ({
      transactionId: `e${i}`,
      externalSubscriptionId: i % 3 === 0 ? 's0' : 's1',
      code: i % 2 === 0 ? 'even' : 'odd',
      timestamp: new Date(Date.UTC(2026, 0, 1 + i)),
      properties: { i },
    }));
    // In three requests, so that created_at orders them; within a batch too (monotonic clock).
    for (let k = 0; k < 3; k++) await a.ingestBatch(sent.slice(k * 10, k * 10 + 10));
    const newestFirst = [...sent].reverse().map((e) => e.transactionId);

    const all = await listAll(apiKey, { pageSize: 7 });
    expect(all.events.map((e) => e.transactionId)).toEqual(newestFirst);
    expect(all.pages).toBe(5);
    expect(all.events[0]).toMatchObject({
      properties: { i: 29 },
      warnings: ['unknown_subscription', 'unknown_metric_code'],
    });

    const ids = (events: Event[]) => events.map((e) => e.transactionId);
    const s0 = await listAll(apiKey, { externalSubscriptionId: 's0', pageSize: 3 });
    expect(ids(s0.events)).toEqual(newestFirst.filter((id) => Number(id.slice(1)) % 3 === 0));
    const s1Odd = await listAll(apiKey, { externalSubscriptionId: 's1', code: 'odd' });
    expect(ids(s1Odd.events)).toEqual(
      newestFirst.filter((id) => Number(id.slice(1)) % 3 !== 0 && Number(id.slice(1)) % 2 === 1),
    );
    const window = await listAll(apiKey, {
      code: 'even',
      from: new Date(Date.UTC(2026, 0, 5)),
      to: new Date(Date.UTC(2026, 0, 11)),
    });
    expect(ids(window.events)).toEqual(['e8', 'e6', 'e4']);
    expect((await listEvents(apiKey, {})).events).toHaveLength(30); // default page size 100
    expect((await listEvents(apiKey, { externalSubscriptionId: 'nobody' })).events).toEqual([]);
  });

  it('answers bad list requests with INVALID_ARGUMENT naming the field', async () => {
    const { apiKey } = await t.newOrganization();
    await expectError(listEvents(apiKey, { pageSize: 1001 }), status.INVALID_ARGUMENT, /^page_size: /);
    await expectError(listEvents(apiKey, { pageSize: -1 }), status.INVALID_ARGUMENT, /^page_size: /);
    await expectError(listEvents(apiKey, { pageToken: 'bm9wZQ' }), status.INVALID_ARGUMENT, /^page_token: /);
    await expectError(
      listEvents(apiKey, { from: at('2026-02-01Z'), to: at('2026-01-01Z') }),
      status.INVALID_ARGUMENT,
      /^from: /,
    );
    const long = 'x'.repeat(256);
    await expectError(
      listEvents(apiKey, { externalSubscriptionId: long }),
      status.INVALID_ARGUMENT,
      /^external_subscription_id: /,
    );
    expect((await listEvents(apiKey, { pageSize: 1000 })).events).toEqual([]);
  });

  it('never shows one organization the events of another', async () => {
    const acme = await t.newOrganization('Acme');
    const globex = await t.newOrganization('Globex');
    const event = {
      transactionId: 'same',
      externalSubscriptionId: 'sub',
      code: 'c',
      timestamp: at('2026-01-02Z'),
    };
    await api(t, acme.apiKey).ingest({ ...event, properties: { who: 'acme' } });
    expect((await getEvent(acme.apiKey, 'sub', 'same')).properties).toEqual({ who: 'acme' });
    await expectError(getEvent(globex.apiKey, 'sub', 'same'), status.NOT_FOUND);
    expect((await listEvents(globex.apiKey, {})).events).toEqual([]);
    expect((await listEvents(globex.apiKey, { externalSubscriptionId: 'sub' })).events).toEqual([]);
    // A token of Acme's list shows Globex nothing of Acme either.
    await api(t, acme.apiKey).ingest({ ...event, transactionId: 'second' });
    const { nextPageToken } = await listEvents(acme.apiKey, { pageSize: 1 });
    expect(nextPageToken).not.toBe('');
    expect((await listEvents(globex.apiKey, { pageToken: nextPageToken })).events).toEqual([]);
  });

  it('pages while events keep arriving: every earlier event once, none repeated', async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    const batch = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        transactionId: `${prefix}-${i}`,
        externalSubscriptionId: 'sub',
        code: `c${i % 3}`,
        timestamp: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 86_400_000)),
      }));
    await a.ingestBatch(batch('before', 500));
    let round = 0;
    // Between pages: a batch for the same subscription, and one single event.
    const arrive = async () => {
      round += 1;
      await Promise.all([
        a.ingestBatch(batch(`during${round}`, 40)),
        a.ingest({ transactionId: `single${round}`, externalSubscriptionId: 'sub', code: 'c0' }),
      ]);
    };
    for (const request of [{ externalSubscriptionId: 'sub', pageSize: 45 }, { pageSize: 45 }]) {
      const { events, pages } = await listAll(apiKey, request, arrive);
      const seen = events.map((e) => e.transactionId);
      expect(new Set(seen).size).toBe(seen.length);
      const before = seen.filter((id) => id.startsWith('before-'));
      expect(before).toEqual(
        batch('before', 500)
          .map((e) => e.transactionId)
          .reverse(),
      );
      expect(pages).toBeGreaterThanOrEqual(12);
      const order = events.map((e) => e.createdAt!.getTime());
      expect(order).toEqual([...order].sort((x, y) => y - x));
    }
  });
});
