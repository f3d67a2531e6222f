import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { UnavailableError } from '../../../libs/common/src/errors';
import type { UsageQuery, UsageRow } from './queries/usage-query';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** A ClickHouse stand-in: records each statement, answers the rows `answer` gives for its parts. */
function fakeClickHouse(answer: (parts: number) => UsageRow[]) {
  const statements: { sql: string; params: Record<string, unknown> }[] = [];
  const client = {
    query: ({ query, query_params }: { query: string; query_params: Record<string, unknown> }) => {
      statements.push({ sql: query, params: query_params });
      const parts = query.split('UNION ALL').length;
      return Promise.resolve({ json: () => Promise.resolve(answer(parts)) });
    },
  };
  return { client: client as unknown as ClickHouseClient, statements };
}

const metric = (code: string, more: Partial<MetricDefinition> = {}) =>
  ({
    code,
    aggregationType: 'SUM_AGG',
    fieldName: 'v',
    recurring: false,
    roundingFunction: null,
    ...more,
  }) as MetricDefinition;

const query = (more: Partial<UsageQuery> = {}): UsageQuery => ({
  organizationId: 'o',
  externalSubscriptionId: 's',
  code: 'c',
  aggregationType: 'SUM_AGG',
  fieldName: 'v',
  recurring: false,
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-11T00:00:00Z'),
  filter: [],
  exclude: [],
  groupedBy: [],
  chargesDurationDays: null,
  ...more,
});

const row = (part: number, value: string, groupValues: string[] = []): UsageRow => ({
  part_index: part,
  group_values: groupValues,
  value,
  events_count: '1',
  precise_total_amount_cents: '0.50000000000000000000',
});

describe('UsageService', () => {
  it('answers a grouped question with its total and groups in one round trip, rounded, labelled', async () => {
    const fake = fakeClickHouse(() => [
      row(1, '0.4', ['a', 'x']),
      row(0, '0.80000000000000000000'),
      row(1, '0.4', ['', 'y']),
    ]);
    const service = new UsageService(new UsageRepository(fake.client));
    const rounded = metric('c', { roundingFunction: 'ROUND', roundingPrecision: 0 });
    const usage = await service.usage(rounded, query({ groupedBy: ['g', 'h'] }));
    expect(fake.statements).toHaveLength(1);
    expect(usage).toEqual({
      code: 'c',
      aggregationType: 'SUM_AGG',
      value: '1',
      eventsCount: '1',
      totalAggregatedUnits: '0.8',
      preciseTotalAmountCents: '0.5',
      groups: [
        {
          groupedBy: { g: 'a', h: 'x' },
          nullKeys: [],
          value: '0',
          eventsCount: '1',
          totalAggregatedUnits: '0.4',
          preciseTotalAmountCents: '0.5',
        },
        {
          groupedBy: { h: 'y' },
          nullKeys: ['g'],
          value: '0',
          eventsCount: '1',
          totalAggregatedUnits: '0.4',
          preciseTotalAmountCents: '0.5',
        },
      ],
      windows: [],
    });
  });

  const [jan1, jan2, jan3] = ['01', '02', '03'].map((d) => new Date(`2026-01-${d}T00:00:00Z`));
  const twoDays = [
    { from: jan1, to: jan2 },
    { from: jan2, to: jan3 },
  ];

  it('asks each window of a recurring metric as a question of its own, after the whole', async () => {
    const fake = fakeClickHouse((parts) => Array.from({ length: parts }, (_, i) => row(i, `${10 + i}`)));
    const service = new UsageService(new UsageRepository(fake.client));
    const recurring = metric('c', { recurring: true });
    const usage = await service.usage(recurring, query({ from: jan1, to: jan3, recurring: true }), twoDays);
    expect(fake.statements).toHaveLength(1);
    const { params } = fake.statements[0];
    // Recurring: no lower bound, so each statement is told only its `to`.
    expect([0, 1, 2].map((i) => params[`p${i}_to`])).toEqual([
      '2026-01-03 00:00:00.000',
      '2026-01-02 00:00:00.000',
      '2026-01-03 00:00:00.000',
    ]);
    expect(params).not.toHaveProperty('p1_window_starts');
    expect(usage.value).toBe('10');
    expect(usage.windows.map((w) => [w.from, w.to, w.value, w.groups])).toEqual([
      [jan1, jan2, '11', []],
      [jan2, jan3, '12', []],
    ]);
  });

  it('answers every window of a sum with one bucketed statement set; a window without rows is 0', async () => {
    // Parts: the whole's total and groups, then the bucketed total and groups.
    const fake = fakeClickHouse(() => [
      row(0, '5'),
      row(1, '2', ['a']),
      row(1, '3', ['']),
      row(2, '5', ['2']),
      row(3, '2', ['2', 'a']),
      row(3, '3', ['2', '']),
    ]);
    const service = new UsageService(new UsageRepository(fake.client));
    const usage = await service.usage(
      metric('c'),
      query({ from: jan1, to: jan3, groupedBy: ['g'] }),
      twoDays,
    );
    expect(fake.statements).toHaveLength(1);
    const starts = [jan1.getTime(), jan2.getTime()];
    expect(fake.statements[0].params).toMatchObject({ p2_window_starts: starts, p3_window_starts: starts });
    expect(fake.statements[0].params).not.toHaveProperty('p0_window_starts');
    expect(fake.statements[0].sql).toContain('ASOF LEFT JOIN');
    expect(usage.value).toBe('5');
    expect(
      usage.windows.map((w) => [w.from, w.to, w.value, w.groups.map((g) => [g.groupedBy, g.value])]),
    ).toEqual([
      [jan1, jan2, '0', []],
      [
        jan2,
        jan3,
        '5',
        [
          [{ g: 'a' }, '2'],
          [{}, '3'],
        ],
      ],
    ]);
  });

  it('asks the windows one by one, with the dedupe re-check, when bucketed rows repeat a transaction id', async () => {
    let call = 0;
    const fake = fakeClickHouse((parts) => {
      call += 1;
      if (call === 1) return [row(0, '9'), { ...row(1, '9', ['1']), duplicates: 1 }];
      if (call === 2) return [row(0, '4'), { ...row(1, '4'), duplicates: 1 }];
      expect(parts).toBe(1);
      return [row(0, '3')];
    });
    const service = new UsageService(new UsageRepository(fake.client));
    const usage = await service.usage(metric('c'), query({ from: jan1, to: jan3 }), twoDays);
    expect(fake.statements.map((st) => st.sql.includes('LIMIT 1 BY transaction_id'))).toEqual([
      false,
      false,
      true,
    ]);
    expect(fake.statements[1].params).toMatchObject({
      p0_from: '2026-01-01 00:00:00.000',
      p1_from: '2026-01-02 00:00:00.000',
    });
    expect(usage.windows.map((w) => w.value)).toEqual(['4', '3']);
  });

  it('answers the windows of a recurring sum from the hourly aggregates in one statement, with rollups', async () => {
    // Parts: the whole question, then every window of it (first group value: the window's number).
    const fake = fakeClickHouse(() => [row(0, '12'), row(1, '5', ['1']), row(1, '12', ['2'])]);
    const service = new UsageService(new UsageRepository(fake.client), undefined, { rollups: true });
    const recurring = metric('c', { recurring: true });
    const usage = await service.usage(recurring, query({ from: jan1, to: jan3, recurring: true }), twoDays);
    expect(fake.statements).toHaveLength(1);
    expect(fake.statements[0].sql.split('FROM usage_hourly')).toHaveLength(3);
    expect(fake.statements[0].sql).not.toContain('FROM events');
    expect(fake.statements[0].params).toMatchObject({
      p1_window_starts: [jan1.getTime(), jan2.getTime()],
      p1_window_ends: [jan2.getTime(), jan3.getTime()],
    });
    expect(usage.windows.map((w) => [w.from, w.to, w.value])).toEqual([
      [jan1, jan2, '5'],
      [jan2, jan3, '12'],
    ]);
  });

  it('leaves the windows of a grouped recurring sum to the raw path, one by one, even with rollups', async () => {
    const fake = fakeClickHouse(() => []);
    const service = new UsageService(new UsageRepository(fake.client), undefined, { rollups: true });
    const grouped = query({ from: jan1, to: jan3, recurring: true, groupedBy: ['g'] });
    await service.usage(metric('c', { recurring: true }), grouped, twoDays);
    expect(fake.statements[0].sql).not.toContain('usage_hourly');
    expect(fake.statements[0].sql.split('UNION ALL')).toHaveLength(6);
  });

  it('answers "0" with no groups when there are no events', async () => {
    const service = new UsageService(new UsageRepository(fakeClickHouse(() => []).client));
    expect(await service.usage(metric('c'), query({ groupedBy: ['g'] }))).toMatchObject({
      value: '0',
      eventsCount: '0',
      totalAggregatedUnits: '0',
      preciseTotalAmountCents: '0',
      groups: [],
    });
  });

  it('answers many metrics in few round trips, each with its own rows', async () => {
    const fake = fakeClickHouse((parts) => Array.from({ length: parts }, (_, i) => row(i, `${i + 1}`)));
    const service = new UsageService(new UsageRepository(fake.client, 2));
    const metrics = ['a', 'b', 'c', 'd', 'e'].map((code) => metric(code));
    const usages = await service.usages(metrics.map((m) => ({ metric: m, query: query({ code: m.code }) })));
    expect(fake.statements).toHaveLength(3);
    expect(usages.map((u) => [u.code, u.value])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '1'],
      ['d', '2'],
      ['e', '1'],
    ]);
    expect(fake.statements[0].params).toMatchObject({ p0_code: 'a', p1_code: 'b' });
    expect(await service.usages([])).toEqual([]);
  });

  it('asks again with the dedupe only the questions whose rows report a repeated transaction id', async () => {
    let call = 0;
    const fake = fakeClickHouse((parts) => {
      call += 1;
      if (call === 1) return [{ ...row(0, '9'), duplicates: 1 }, row(1, '2', ['g1']), row(2, '3')];
      expect(parts).toBe(2);
      return [row(0, '7'), row(1, '6', ['g1'])];
    });
    const service = new UsageService(new UsageRepository(fake.client));
    const usages = await service.usages([
      { metric: metric('a'), query: query({ code: 'a', groupedBy: ['g'] }) },
      { metric: metric('b'), query: query({ code: 'b' }) },
    ]);
    expect(fake.statements).toHaveLength(2);
    expect(fake.statements[0].sql).not.toContain('LIMIT 1 BY transaction_id');
    expect(fake.statements[1].sql).toContain('LIMIT 1 BY transaction_id');
    expect(fake.statements[1].params).toMatchObject({ p0_code: 'a', p1_code: 'a' });
    expect(usages.map((u) => [u.code, u.value, u.groups.map((g) => g.value)])).toEqual([
      ['a', '7', ['6']],
      ['b', '3', []],
    ]);
  });

  it('reports a store failure as UNAVAILABLE', async () => {
    const failing = {
      query: () => Promise.reject(new Error('connection refused')),
    } as unknown as ClickHouseClient;
    const service = new UsageService(new UsageRepository(failing));
    await expect(service.usage(metric('c'), query())).rejects.toThrow(UnavailableError);
  });
});
