import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createClickHouse,
  migrateClickHouse,
  type ClickHouseClient,
} from '../../../libs/clickhouse/src/clickhouse';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import type { UsageQuery } from './queries/usage-query';
import { UsageRepository } from './usage.repository';
import { DuplicateAudit } from './duplicate-audit';
import { UsageService } from './usage.service';

const ORG = '00000000-0000-4000-8000-00000000000d';

/**
 * A transaction_id stored twice (two ingestion processes racing on one key) counts once, as its
 * first accepted row (created_at) among the selected ones — even when that row's value is not
 * numeric or it sits in another group. Rows: transaction, timestamp, created_at (µs), properties,
 * precise_total_amount_cents.
 */
const ROWS: [string, string, number, Record<string, string>, string | null][] = [
  ['a', '2026-01-02 00:00:00.000', 1, { v: '5', region: 'eu' }, '1'],
  ['a', '2026-01-03 00:00:00.000', 2, { v: '100', region: 'us' }, '50'],
  ['b', '2026-01-04 00:00:00.000', 3, { v: 'abc', region: 'eu' }, null],
  ['b', '2026-01-05 00:00:00.000', 4, { v: '7', region: 'eu' }, null],
  // Before the window: the first row of c for a recurring sum, not for a windowed one.
  ['c', '2025-12-31 00:00:00.000', 5, { v: '13', region: 'us' }, null],
  ['c', '2026-01-06 00:00:00.000', 6, { v: '11', region: 'us' }, null],
  ['d', '2026-01-07 00:00:00.000', 7, { v: '2', region: 'us' }, null],
];

/** The keys of ROWS with more than one row, as `<transaction id>×<rows>`. */
const EXPECTED_DUPLICATES = [...new Set(ROWS.map(([tx]) => tx))]
  .map((tx) => `${tx}×${ROWS.filter(([t]) => t === tx).length}`)
  .filter((text) => !text.endsWith('×1'))
  .sort();

function metric(over: Partial<MetricDefinition>): MetricDefinition {
  return {
    id: 'm',
    organizationId: ORG,
    code: 'm',
    name: 'm',
    description: '',
    aggregationType: 'SUM_AGG',
    fieldName: 'v',
    recurring: false,
    weightedInterval: null,
    roundingFunction: null,
    roundingPrecision: null,
    expression: '',
    filters: [],
    createdAt: new Date(0),
    ...over,
  };
}

function query(m: MetricDefinition, subscription: string, more: Partial<UsageQuery> = {}): UsageQuery {
  return {
    organizationId: ORG,
    externalSubscriptionId: subscription,
    code: m.code,
    aggregationType: m.aggregationType,
    fieldName: m.fieldName,
    recurring: m.recurring,
    from: new Date('2026-01-01T00:00:00Z'),
    to: new Date('2026-02-01T00:00:00Z'),
    filter: [],
    exclude: [],
    groupedBy: [],
    chargesDurationDays: null,
    ...more,
  };
}

describe('usage SQL with a transaction id stored twice, on the embedded ClickHouse', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let usage: UsageService;
  let roundTrips = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'usage-dup-'));
    clickhouse = createClickHouse({ dataDir: dir });
    await migrateClickHouse(clickhouse);
    const rows = (subscription: string, keep: (tx: string, created: number) => boolean) =>
      ROWS.filter(([tx, , created]) => keep(tx, created)).map(([tx, timestamp, created, props, amount]) => ({
        organization_id: ORG,
        external_subscription_id: subscription,
        code: 'm',
        timestamp,
        transaction_id: tx,
        lago_id: `00000000-0000-4000-8000-${String(created).padStart(12, '0')}`,
        external_customer_id: '',
        lago_subscription_id: '',
        lago_customer_id: '',
        properties: JSON.stringify(props),
        property_texts: props,
        precise_total_amount_cents: amount,
        created_at: `2026-01-10 00:00:00.00000${created}`,
      }));
    // 'twice' holds every row; 'once' one row per transaction id, those a windowed query counts.
    const firsts = new Set(['a:1', 'b:3', 'c:6', 'd:7']);
    await clickhouse.insert({
      table: 'events',
      values: [
        ...rows('twice', () => true),
        ...rows('once', (tx, created) => firsts.has(`${tx}:${created}`)),
      ],
      format: 'JSONEachRow',
    });
    const counting = new Proxy(clickhouse, {
      get: (target, name, receiver) =>
        name === 'query'
          ? (...args: Parameters<ClickHouseClient['query']>) => (roundTrips++, target.query(...args))
          : Reflect.get(target, name, receiver),
    });
    // Rows stored twice exist only in data written before ingestion claimed every key: the check
    // (USAGE_DUPLICATE_CHECK) is what keeps them counted once.
    usage = new UsageService(new UsageRepository(counting), undefined, { checkDuplicates: true });
  }, 60_000);
  afterAll(async () => {
    await clickhouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, Partial<MetricDefinition>, Partial<UsageQuery>, Record<string, unknown>]>([
    [
      'count',
      { aggregationType: 'COUNT_AGG', fieldName: '' },
      {},
      { value: '4', preciseTotalAmountCents: '1' },
    ],
    ['sum', {}, {}, { value: '18', eventsCount: '3', preciseTotalAmountCents: '1' }],
    ['recurring sum: the first row of c is before the window', { recurring: true }, {}, { value: '20' }],
    ['max', { aggregationType: 'MAX_AGG' }, {}, { value: '11', eventsCount: '3' }],
    ['latest', { aggregationType: 'LATEST_AGG' }, {}, { value: '2', eventsCount: '3' }],
    [
      'unique count',
      { aggregationType: 'UNIQUE_COUNT_AGG' },
      {},
      { value: '4', preciseTotalAmountCents: '1' },
    ],
    [
      'weighted sum',
      { aggregationType: 'WEIGHTED_SUM_AGG', weightedInterval: 'SECONDS' },
      {},
      { value: '15.67741935483870967741935483871', totalAggregatedUnits: '18' },
    ],
    [
      'count by region: the first row of a is in eu',
      { aggregationType: 'COUNT_AGG', fieldName: '' },
      { groupedBy: ['region'] },
      {
        value: '4',
        groups: [
          expect.objectContaining({ groupedBy: { region: 'eu' }, value: '2' }),
          expect.objectContaining({ groupedBy: { region: 'us' }, value: '2' }),
        ],
      },
    ],
  ])('%s: the first selected row of each transaction id', async (_name, over, more, expected) => {
    const m = metric(over);
    const before = roundTrips;
    const result = await usage.usage(m, query(m, 'twice', more));
    result.groups.sort((x, y) => JSON.stringify(x.groupedBy).localeCompare(JSON.stringify(y.groupedBy)));
    expect(result).toMatchObject(expected);
    // The first statement saw the repeated ids, so the service asked again with the dedupe.
    expect(roundTrips - before).toBe(2);
  });

  it('answers the same rows stored once in one round trip', async () => {
    const m = metric({});
    const before = roundTrips;
    expect(await usage.usage(m, query(m, 'once'))).toMatchObject({
      value: '18',
      eventsCount: '3',
      preciseTotalAmountCents: '1',
    });
    expect(roundTrips - before).toBe(1);
  });

  it('the audit finds every key stored twice, and nothing else', async () => {
    const { keys, total } = await new DuplicateAudit(clickhouse).find();
    const twice = keys.filter((k) => k.externalSubscriptionId === 'twice');
    expect(total).toBe(keys.length);
    expect(twice.map((k) => `${k.transactionId}×${k.copies}`).sort()).toEqual(EXPECTED_DUPLICATES);
    expect(keys.filter((k) => k.externalSubscriptionId === 'once')).toEqual([]);
  });
});
