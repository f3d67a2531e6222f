import { randomUUID } from 'node:crypto';
import type { AggregationTypeName, MetricDefinition } from '../../libs/common/src/domain';
import type { RoundingMode } from '../../libs/common/src/decimal';
import type { BillableMetricInput } from '../../libs/contract/src/generated/client/metering/v1/registry';
import type {
  GetUsageRequest,
  Usage,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import type { BuiltQuery, UsageRow } from '../../services/aggregation/src/queries/usage-query';
import { rollupStatement } from '../../services/aggregation/src/rollup/rollup.query';
import { toUsageQuery } from '../../services/aggregation/src/usage.request';
import { windowsOf, ZoneClock, type WindowUnit } from '../../services/aggregation/src/windows';
import { UsageRepository } from '../../services/aggregation/src/usage.repository';
import {
  UsageService,
  type UsageQuestion,
  type UsageResult,
} from '../../services/aggregation/src/usage.service';
import { INSERT_COLUMNS, toRow } from '../../services/ingestion/src/event.repository';
import { api } from '../support/api';
import {
  loadCases,
  toEventInput,
  toMetricInput,
  toUsageRequest,
  type UsageCase,
} from '../support/conformance';
import {
  dimsQuestion,
  random,
  scenarios,
  windowedScenarios,
  type DimsClass,
  type Scenario,
} from '../support/rollup-scenarios';
import { DimsRollups } from '../../services/aggregation/src/rollup/dims-activation';
import { definitionOf, dimsAnswerable } from '../../services/aggregation/src/rollup/dims-definition';
import { DimsRepository } from '../../services/aggregation/src/rollup/dims.repository';
import { CODE, SUBSCRIPTION, WINDOW, type SemanticsCase } from '../support/semantics';
import { COUNT_SUM_CASES } from '../support/semantics-cases-count-sum';
import { LATEST_UNIQUE_CASES } from '../support/semantics-cases-latest-unique';
import { MAX_CASES } from '../support/semantics-cases-max';
import { ROUNDING_CASES } from '../support/semantics-cases-rounding';
import { WEIGHTED_CASES } from '../support/semantics-cases-weighted';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The fast path (services/aggregation/src/rollup/: hourly aggregates) against the raw path (every
 * event), question by question: identical answers, digit for digit. Run through the service's two
 * modes directly (the same UsageService with and without rollups), plus the gRPC answer, which
 * takes the fast path whenever it can.
 */

/** Records each statement a service sends, to prove the fast path answered. */
class RecordingRepository extends UsageRepository {
  readonly statements: string[] = [];
  override rowsOf(queries: BuiltQuery[]): Promise<UsageRow[][]> {
    this.statements.push(...queries.map((q) => q.sql));
    return super.rowsOf(queries);
  }
  fastStatements(): number {
    return this.statements.filter((sql) => sql.includes('FROM usage_hourly')).length;
  }
  /** Statements over the metric-aware aggregates (rollup/dims.query.ts). */
  dimsStatements(): number {
    return this.statements.filter((sql) => /FROM usage_dims\n/.test(sql)).length;
  }
}

let t: TestStack;
let fast: UsageService;
let raw: UsageService;
let fastRepository: RecordingRepository;
beforeAll(async () => {
  t = await startTestStack();
  fastRepository = new RecordingRepository(t.stack.clickhouse);
  fast = new UsageService(fastRepository, undefined, { rollups: true });
  raw = new UsageService(new UsageRepository(t.stack.clickhouse), undefined, { rollups: false });
}, 60_000);
afterAll(() => t?.stop());

/** A result in a form where group order does not matter. */
function comparable(result: UsageResult): unknown {
  const groups = result.groups.map((g) => JSON.stringify(g)).sort();
  return { ...result, groups };
}

/** Both paths over the same questions, in chunks (one round trip each); returns how many were fast. */
async function compareBoth(
  questions: UsageQuestion[],
  label: (i: number) => string,
  service = fast,
  repository = fastRepository,
): Promise<number> {
  const before = repository.fastStatements() + repository.dimsStatements();
  for (let i = 0; i < questions.length; i += 50) {
    const chunk = questions.slice(i, i + 50);
    const [a, b] = await Promise.all([service.usages(chunk), raw.usages(chunk)]);
    chunk.forEach((q, k) => {
      const context = `${label(i + k)}: ${q.metric.aggregationType} ${JSON.stringify(q.query)}`;
      expect({ context, answer: comparable(a[k]) }).toEqual({ context, answer: comparable(b[k]) });
    });
  }
  return repository.fastStatements() + repository.dimsStatements() - before;
}

/**
 * Statements each question sends to the fast path: its whole [from, to), and its windows in one
 * (a single window: asked alone).
 */
function fastExpected(questions: UsageQuestion[]): number {
  const windows = (q: UsageQuestion) => {
    if (!q.windows) return 0;
    const starts = q.windows.length > 1 ? { windowStarts: q.windows.map((w) => w.from) } : {};
    return rollupStatement({ ...q.query, ...starts }) !== null ? 1 : 0;
  };
  return questions.reduce((n, q) => n + (rollupStatement(q.query) !== null ? 1 : 0) + windows(q), 0);
}

const answerable = (questions: UsageQuestion[]) =>
  questions.filter((q) => rollupStatement(q.query) !== null).length;

function definition(organizationId: string, m: Partial<BillableMetricInput>): MetricDefinition {
  const rounding = m.roundingFunction as string | undefined;
  return {
    id: 'm',
    organizationId,
    code: m.code ?? CODE,
    name: m.name ?? '',
    description: '',
    aggregationType: m.aggregationType as AggregationTypeName,
    fieldName: m.fieldName ?? '',
    recurring: m.recurring ?? false,
    weightedInterval: null,
    roundingFunction:
      rounding && rounding !== 'ROUNDING_FUNCTION_UNSPECIFIED' ? (rounding as RoundingMode) : null,
    roundingPrecision: m.roundingPrecision ?? null,
    expression: '',
    filters: [],
    createdAt: new Date(0),
  };
}

const usageOf = (u: Usage) => ({
  value: u.value,
  eventsCount: u.eventsCount,
  totalAggregatedUnits: u.totalAggregatedUnits,
  preciseTotalAmountCents: u.preciseTotalAmountCents,
});

/**
 * A case through the real ingestion (expressions, duplicates, rejections), then its question through
 * both paths and through gRPC GetUsage.
 */
async function throughBoth(
  name: string,
  metric: Partial<BillableMetricInput>,
  events: Partial<import('../../libs/contract/src/generated/client/metering/v1/common').EventInput>[],
  request: Partial<GetUsageRequest>,
  windowed = false,
): Promise<number> {
  const organization = await t.newOrganization(name);
  const call = api(t, organization.apiKey);
  await call.createMetric(metric);
  if (events.length > 0) await call.ingestBatch(events);
  const query = toUsageQuery(organization.id, definition(organization.id, metric), request);
  const question = { metric: definition(organization.id, metric), query };
  const fastCount = await compareBoth([question], () => name);
  const [direct] = await fast.usages([question]);
  expect(usageOf(await call.usage(request))).toEqual(usageOf(direct as unknown as Usage));
  if (!windowed) return fastCount;
  const more = variants(question);
  const fastMore = await compareBoth(more, (i) => `${name} variant ${i}`);
  expect(fastMore).toBe(fastExpected(more));
  return fastCount + fastMore;
}

/**
 * The same question by Paris days, by Kolkata days (every window start at :30 UTC) and with bounds
 * inside an hour (from 01:30 after, to 30 minutes before).
 */
function variants(q: UsageQuestion): UsageQuestion[] {
  const { from, to } = q.query;
  const by = (unit: WindowUnit, zone: string) => ({
    ...q,
    windows: windowsOf(from, to, unit, new ZoneClock(zone))!,
  });
  const inside = { from: new Date(from.getTime() + 5_400_000), to: new Date(to.getTime() - 1_800_000) };
  const cut = inside.from < inside.to ? [{ ...q, query: { ...q.query, ...inside } }] : [];
  return [by('DAY', 'Europe/Paris'), by('DAY', 'Asia/Kolkata'), ...cut];
}

describe('the semantics tables and the conformance cases, through both paths', () => {
  const tables: SemanticsCase[] = [
    ...COUNT_SUM_CASES,
    ...ROUNDING_CASES,
    ...MAX_CASES,
    ...LATEST_UNIQUE_CASES,
    ...WEIGHTED_CASES,
  ];
  const usageCases = loadCases<UsageCase>('usage-cases.json');
  let fastAnswers = 0;

  it.each(tables.map((c) => [c.name, c] as const))('table: %s', async (name, c) => {
    const events = c.events.map((e, i) => ({
      transactionId: `t${i + 1}`,
      externalSubscriptionId: SUBSCRIPTION,
      code: CODE,
      ...e,
    }));
    const request = { externalSubscriptionId: SUBSCRIPTION, code: CODE, ...WINDOW, ...c.query };
    fastAnswers += await throughBoth(name, { code: CODE, ...c.metric }, events, request, true);
  });

  it.each(usageCases.map((c) => [c.id, c] as const))('conformance: %s', async (id, c) => {
    const request = toUsageRequest(c.metric.code, c.query);
    fastAnswers += await throughBoth(id, toMetricInput(c.metric), c.events.map(toEventInput), request);
  });

  it('answered those the aggregates can answer from them (ungrouped, unfiltered, whole hours)', () => {
    expect(fastAnswers).toBeGreaterThanOrEqual(60);
  });
});

const ORGANIZATION = randomUUID();
const SEED = 20261201;

async function insert(
  list: Scenario[],
  which: 0 | 1,
  clock: { us: number },
  organizations: string[] = [ORGANIZATION],
): Promise<void> {
  // Acceptance times are the insert's real time, as ingestion stamps them: the metric-aware
  // aggregates' activation relies on it (rollup/dims-activation.ts).
  clock.us = Math.max(clock.us, Date.now() * 1000);
  const rows = organizations.flatMap((organizationId) =>
    list.flatMap((s) =>
      s.events
        .filter((e) => e.insert === which)
        .map((e) =>
          toRow({
            organizationId,
            externalSubscriptionId: s.subscription,
            externalCustomerId: 'c',
            transactionId: e.transactionId,
            code: e.code,
            timestamp: e.timestamp,
            properties: e.properties,
            preciseTotalAmountCents: e.preciseTotalAmountCents,
            lagoSubscriptionId: '',
            lagoCustomerId: '',
            lagoId: randomUUID(),
            createdAtUs: clock.us++,
            warnings: [],
          }),
        ),
    ),
  );
  if (rows.length === 0) return;
  await t.stack.clickhouse.insert({
    table: 'events',
    columns: [...INSERT_COLUMNS],
    values: rows,
    format: 'JSONCompactEachRow',
  });
}

describe(`1,000 seeded random scenarios (seed ${SEED}), through both paths`, () => {
  const list = scenarios(SEED, 1000, ORGANIZATION);
  const questions = list.flatMap((s) => s.questions);
  /** A fifth of them after the first insert and after the merge; every one after the late events. */
  const some = questions.slice(0, 600);
  const label = (i: number) => `scenario ${Math.floor(i / 3)} question ${i % 3}`;
  const clock = { us: Date.UTC(2026, 0, 10) * 1000 };

  it('agree after the first insert', async () => {
    await insert(list, 0, clock);
    await compareBoth(some, label);
  }, 300_000);

  it('agree after a second insert carrying late events, and answered them from the aggregates', async () => {
    await insert(list, 1, clock);
    const fastCount = await compareBoth(questions, label);
    expect(fastCount).toBe(answerable(questions));
    expect(fastCount).toBeGreaterThanOrEqual(1000);
  }, 300_000);

  it('agree after the aggregates are merged', async () => {
    await t.stack.clickhouse.command({ query: 'OPTIMIZE TABLE usage_hourly FINAL' });
    await compareBoth(some, label);
  }, 300_000);
});

describe('seeded grouped, filtered and unique-count questions, through the metric-aware aggregates', () => {
  const SEED_DIMS = 20261130;
  /** One organization per definition class: each code has one metric definition at a time. */
  const organizations: Record<DimsClass, string> = {
    count: randomUUID(),
    value: randomUUID(),
    unique: randomUUID(),
  };
  const list = scenarios(SEED_DIMS, 150, '');
  const r = random(SEED_DIMS);
  const kinds: DimsClass[] = ['count', 'value', 'value', 'unique', 'unique'];
  const questions = list.flatMap((s) =>
    kinds.map((kind) => dimsQuestion(r, organizations[kind], s.subscription, kind)),
  );
  const label = (i: number) => `dims scenario ${Math.floor(i / kinds.length)} question ${i % kinds.length}`;
  const clock = { us: 0 };
  let repository: RecordingRepository;
  let service: UsageService;
  let dims: DimsRollups;
  beforeAll(() => {
    repository = new RecordingRepository(t.stack.clickhouse);
    dims = new DimsRollups(new DimsRepository(t.stack.clickhouse), {
      marginMs: 300,
      settleMs: 500,
      abandonMs: 600_000,
      readyTtlMs: 600_000,
      retryMs: 200,
    });
    service = new UsageService(repository, undefined, { rollups: true, dims });
  });
  /** Statements the fast path sends for the questions it can answer once ready. */
  const expectedFast = questions
    .filter((q) => dimsAnswerable(q.query, definitionOf(q.metric)) && rollupStatement(q.query) === null)
    .reduce((n, q) => n + (q.query.groupedBy.length > 0 ? 2 : 1), 0);

  /** Both paths; returns how many statements read the metric-aware aggregates. */
  async function compareDims(): Promise<number> {
    const before = repository.dimsStatements();
    await compareBoth(questions, label, service, repository);
    return repository.dimsStatements() - before;
  }

  it('agree while the definitions are activated (raw path, then fast as they become ready)', async () => {
    await insert(list, 0, clock, Object.values(organizations));
    await compareDims();
    await dims.settled();
  }, 300_000);

  it('agree after late events, answered from the aggregates', async () => {
    await insert(list, 1, clock, Object.values(organizations));
    const fastCount = await compareDims();
    expect(fastCount).toBe(expectedFast);
    expect(fastCount).toBeGreaterThanOrEqual(400);
  }, 300_000);

  it('agree after the aggregates are merged', async () => {
    await t.stack.clickhouse.command({ query: 'OPTIMIZE TABLE usage_dims FINAL' });
    expect(await compareDims()).toBe(expectedFast);
  }, 300_000);
});

describe(`windowed questions and bounds inside an hour (seed ${SEED + 1}), through both paths`, () => {
  const list = windowedScenarios(SEED + 1, 150, ORGANIZATION);
  const questions = list.flatMap((s) => s.questions);
  const label = (i: number) => `windowed scenario ${Math.floor(i / 3)} question ${i % 3}`;
  const clock = { us: Date.UTC(2026, 11, 1) * 1000 };

  it('ask every unit, zone, daylight-saving day and kind of bound the tests mean to', () => {
    const minutes = new Set(
      questions.map((q) => q.windows!.length > 1 && q.windows![1].from.getUTCMinutes()),
    );
    expect(minutes).toContain(30); // Kolkata: windows starting at :30
    const lengths = new Set(questions.map((q) => q.windows![0].to.getTime() - q.windows![0].from.getTime()));
    expect(lengths.size).toBeGreaterThan(10);
    const hours = (w: { from: Date; to: Date }) => (w.to.getTime() - w.from.getTime()) / 3_600_000;
    const whole = questions.flatMap((q) => q.windows!.slice(1, -1));
    expect(whole.some((w) => hours(w) === 23)).toBe(true);
    expect(whole.some((w) => hours(w) === 25)).toBe(true);
    expect(questions.some((q) => q.metric.recurring && q.metric.aggregationType === 'WEIGHTED_SUM_AGG')).toBe(
      true,
    );
    expect(questions.some((q) => q.query.from.getTime() % 3_600_000 !== 0)).toBe(true);
  });

  it('agree, every window, and the aggregates answered every question they can', async () => {
    await insert(list, 0, clock);
    await insert(list, 1, clock);
    const fastCount = await compareBoth(questions, label);
    expect(fastCount).toBe(fastExpected(questions));
    expect(fastCount).toBeGreaterThanOrEqual(600);
    const counted = (await fast.usages(questions))
      .flatMap((u) => u.windows)
      .filter((w) => w.eventsCount !== '0');
    expect(counted.length).toBeGreaterThan(300);
  }, 600_000);

  it('agree after the aggregates are merged', async () => {
    await t.stack.clickhouse.command({ query: 'OPTIMIZE TABLE usage_hourly FINAL' });
    await compareBoth(questions.slice(0, 150), label);
  }, 300_000);
});
