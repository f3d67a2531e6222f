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
import { UsageService } from './usage.service';

const ORG = '00000000-0000-4000-8000-00000000000a';

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

function query(m: MetricDefinition, subscription: string): UsageQuery {
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
  };
}

describe('usage SQL on the embedded ClickHouse, at volume', () => {
  let dir: string;
  let clickhouse: ClickHouseClient;
  let usage: UsageService;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'usage-int-'));
    clickhouse = createClickHouse({ dataDir: dir });
    await migrateClickHouse(clickhouse);
    usage = new UsageService(new UsageRepository(clickhouse));
    // One million events of 0.000001 each, written server-side with the columns ingestion writes.
    await clickhouse.command({
      query: `INSERT INTO events (organization_id, external_subscription_id, code, timestamp, transaction_id, lago_id,
                                  external_customer_id, lago_subscription_id, lago_customer_id, properties,
                                  property_texts, precise_total_amount_cents, created_at)
              SELECT {org:String}, 'million', 'm', toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number),
                     concat('t', toString(number)), generateUUIDv4(), '', '', '', '{"v":"0.000001"}', map('v', '0.000001'),
                     NULL, now64(6)
              FROM numbers(1000000)`,
      query_params: { org: ORG },
    });
  }, 120_000);
  afterAll(async () => {
    await clickhouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sums 1,000,000 events of 0.000001 to exactly 1', async () => {
    const m = metric({});
    expect(await usage.usage(m, query(m, 'million'))).toMatchObject({ value: '1', eventsCount: '1000000' });
  });

  it('keeps the weighted sum of a million deltas exact to 30 decimals', async () => {
    const m = metric({ aggregationType: 'WEIGHTED_SUM_AGG', weightedInterval: 'SECONDS' });
    const result = await usage.usage(m, query(m, 'million'));
    // Event n (n = 0…999,999) adds 0.000001 at n ms and holds to the end of the 31-day window:
    // Σ 0.000001 × (W − n) / W with W = 2,678,400,000 ms = 1 − 0.000001 × 499,999,500,000 / W,
    // to 30 places, half up (computed independently with Python's decimal module).
    expect(result.value).toBe('0.999813321572580645161290322581');
    expect(result.totalAggregatedUnits).toBe('1');
  });
});
