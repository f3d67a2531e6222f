import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createClickHouse,
  migrateClickHouse,
  type ClickHouseClient,
} from '../../../libs/clickhouse/src/clickhouse';
import type { StoredEvent } from './event';
import { EventRepository } from './event.repository';

function event(over: Partial<StoredEvent>): StoredEvent {
  return {
    organizationId: 'org-a',
    transactionId: 't1',
    externalSubscriptionId: 'sub',
    externalCustomerId: 'cus',
    code: 'calls',
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
    properties: {
      n: 1.25,
      big: '123456789012345678.123456789',
      flag: true,
      nothing: null,
      nested: { a: [1] },
      tiny: 1e-7,
    },
    preciseTotalAmountCents: '12.5',
    lagoSubscriptionId: '',
    lagoCustomerId: '',
    lagoId: '00000000-0000-4000-8000-000000000001',
    createdAtUs: 1_767_000_000_000_001,
    warnings: ['unknown_subscription'],
    ...over,
  };
}

describe('EventRepository on the embedded ClickHouse', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let repository: EventRepository;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'events-int-'));
    clickhouse = createClickHouse({ dataDir: dir });
    expect(await migrateClickHouse(clickhouse)).toEqual([
      '0001_create_events',
      '0002_create_event_keys',
      '0003_event_keys_without_bulk_insert',
      '0004_event_warnings_and_listing',
      '0005_usage_hourly',
      '0006_usage_dims',
    ]);
    expect(await migrateClickHouse(clickhouse)).toEqual([]);
    repository = new EventRepository(clickhouse);
  });
  afterAll(async () => {
    await clickhouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an event and reads it back exactly', async () => {
    const e = event({});
    await repository.insert([e]);
    expect(await repository.findFirst([e])).toEqual([e]);
  });

  it('writes each property as text, numbers as canonical decimals', async () => {
    const rows = await (
      await clickhouse.query({
        query: `SELECT property_texts FROM events WHERE transaction_id = {t:String}`,
        query_params: { t: 't1' },
        format: 'JSONEachRow',
      })
    ).json<{ property_texts: Record<string, string> }>();
    expect(rows[0].property_texts).toEqual({
      n: '1.25',
      big: '123456789012345678.123456789',
      flag: 'true',
      nested: '{"a":[1]}',
      tiny: '0.0000001',
    });
  });

  it('answers a duplicate from the key index, with the whole original event', async () => {
    const original = event({
      transactionId: 'dup',
      code: 'other',
      timestamp: new Date('2026-01-09T00:00:00.001Z'),
      lagoId: '00000000-0000-4000-8000-000000000002',
    });
    await repository.insert([original]);
    const [found] = await repository.findFirst([
      event({ transactionId: 'dup', code: 'calls', timestamp: new Date(0) }),
    ]);
    expect(found).toEqual(original);
  });

  it('keeps the key index in step with the events table', async () => {
    const count = async (table: string) =>
      (
        await (
          await clickhouse.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
        ).json<{ n: string }>()
      )[0].n;
    expect(await count('event_keys')).toBe(await count('events'));
  });

  it('scopes keys by organization and subscription, and answers null for unknown keys', async () => {
    const keys = [
      event({ organizationId: 'org-b' }),
      event({ externalSubscriptionId: 'other' }),
      event({ transactionId: 'never' }),
      event({}),
    ];
    const found = await repository.findFirst(keys);
    expect(found.map((f) => f?.transactionId ?? null)).toEqual([null, null, null, 't1']);
  });
});
