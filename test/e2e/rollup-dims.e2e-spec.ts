import type { MetricDefinition } from '../../libs/common/src/domain';
import type { EventInput } from '../../libs/contract/src/generated/client/metering/v1/common';
import type { BuiltQuery, UsageQuery, UsageRow } from '../../services/aggregation/src/queries/usage-query';
import { DimsRollups, type DimsRollupOptions } from '../../services/aggregation/src/rollup/dims-activation';
import { definitionOf } from '../../services/aggregation/src/rollup/dims-definition';
import {
  CREATED,
  DimsRepository,
  READY,
  REMOVED,
} from '../../services/aggregation/src/rollup/dims.repository';
import { UsageRepository } from '../../services/aggregation/src/usage.repository';
import {
  UsageService,
  type UsageQuestion,
  type UsageResult,
} from '../../services/aggregation/src/usage.service';
import { api } from '../support/api';
import { FaultyDims } from '../support/faulty-dims';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * Activation of the metric-aware aggregates (services/aggregation/src/rollup/dims-activation.ts),
 * walked in the order of its protocol's docstring, with events arriving through real gRPC ingestion
 * (so created_at is the ingestion's clock) and short timings: every answer equals the raw path's,
 * and the fast path answers once a generation is ready.
 */

const TIMINGS: DimsRollupOptions = {
  marginMs: 300,
  settleMs: 400,
  abandonMs: 60_000,
  readyTtlMs: 60_000,
  retryMs: 200,
};
const SUBSCRIPTION = 'sub-dims';
const FROM = new Date('2026-03-01T00:00:00Z');
const TO = new Date('2026-03-03T00:00:00Z');

/** Records each statement a service sends, to tell which path answered. */
class RecordingRepository extends UsageRepository {
  readonly statements: string[] = [];
  override rowsOf(queries: BuiltQuery[]): Promise<UsageRow[][]> {
    this.statements.push(...queries.map((q) => q.sql));
    return super.rowsOf(queries);
  }
  /** Statements over the metric-aware aggregates since the last call. */
  takeFast(): number {
    const n = this.statements.filter((sql) => /FROM usage_dims\n/.test(sql)).length;
    this.statements.length = 0;
    return n;
  }
}

let t: TestStack;
let raw: UsageService;
beforeAll(async () => {
  t = await startTestStack();
  raw = new UsageService(new UsageRepository(t.stack.clickhouse), undefined, { rollups: false });
}, 60_000);
afterAll(() => t?.stop());

/** A fast service with its own activations on a store that can fail on demand. */
function fastService(timings: DimsRollupOptions = TIMINGS): {
  usage: UsageService;
  dims: DimsRollups;
  faults: FaultyDims;
  repository: RecordingRepository;
} {
  const faults = new FaultyDims(new DimsRepository(t.stack.clickhouse));
  const dims = new DimsRollups(faults, timings);
  const repository = new RecordingRepository(t.stack.clickhouse);
  return {
    usage: new UsageService(repository, undefined, { rollups: true, dims }),
    dims,
    faults,
    repository,
  };
}

function metric(organizationId: string, over: Partial<MetricDefinition>): MetricDefinition {
  return {
    id: 'm',
    organizationId,
    code: 'calls',
    name: 'calls',
    description: '',
    aggregationType: 'SUM_AGG',
    fieldName: 'v',
    recurring: false,
    weightedInterval: null,
    roundingFunction: null,
    roundingPrecision: null,
    expression: '',
    filters: [{ key: 'region', values: ['eu', 'us'] }],
    createdAt: new Date(0),
    ...over,
  };
}

function question(m: MetricDefinition, over: Partial<UsageQuery> = {}): UsageQuestion {
  return {
    metric: m,
    query: {
      organizationId: m.organizationId,
      externalSubscriptionId: SUBSCRIPTION,
      code: m.code,
      aggregationType: m.aggregationType,
      fieldName: m.fieldName,
      recurring: m.recurring,
      from: FROM,
      to: TO,
      filter: [],
      exclude: [],
      groupedBy: ['region'],
      chargesDurationDays: null,
      ...over,
    },
  };
}

const comparable = (r: UsageResult) => ({ ...r, groups: r.groups.map((g) => JSON.stringify(g)).sort() });

/** The fast service's answers, each equal to the raw path's; returns how many statements were fast. */
async function expectExact(
  fast: ReturnType<typeof fastService>,
  questions: UsageQuestion[],
): Promise<number> {
  fast.repository.takeFast();
  const [a, b] = await Promise.all([fast.usage.usages(questions), raw.usages(questions)]);
  expect(a.map(comparable)).toEqual(b.map(comparable));
  return fast.repository.takeFast();
}

let sequence = 0;
function events(n: number, over: (i: number) => Partial<EventInput> = () => ({})): Partial<EventInput>[] {
  return Array.from({ length: n }, (_, i) => {
    const k = sequence++;
    return {
      transactionId: `e${k}`,
      externalSubscriptionId: SUBSCRIPTION,
      code: 'calls',
      timestamp: new Date(FROM.getTime() + (k % 40) * 3_600_000 + (k % 7) * 1000),
      properties: {
        v: String((k % 5) + 0.25),
        w: String(k % 3),
        ...(k % 4 === 3 ? {} : { region: ['eu', 'us', ''][k % 3] }),
        operation_type: k % 6 === 5 ? 'remove' : 'add',
      },
      ...over(i),
    };
  });
}

async function organization(name: string) {
  const o = await t.newOrganization(name);
  const call = api(t, o.apiKey);
  await call.createMetric({
    code: 'calls',
    name: 'calls',
    aggregationType: 'SUM_AGG' as never,
    fieldName: 'v',
  });
  return { ...o, call };
}

describe('activation', () => {
  it('1–6: counts every event once, those ingested while it runs included, then answers fast', async () => {
    const o = await organization('during');
    await o.call.ingestBatch(events(200));
    const fast = fastService();
    const m = metric(o.id, {});
    const q = [question(m), question(m, { groupedBy: [], filter: [{ key: 'region', values: ['eu', ''] }] })];
    expect(await expectExact(fast, q)).toBe(0); // no generation yet: raw, and an activation starts
    // Ingest all through the activation: before `since`, between `since` and the backfill, after it.
    let ingesting = true;
    const during = (async () => {
      while (ingesting) await o.call.ingestBatch(events(20));
    })();
    await fast.dims.settled();
    await o.call.ingestBatch(events(20));
    ingesting = false;
    await during;
    expect(await expectExact(fast, q)).toBe(3);
    // Unique count: its own definition (per value), late and removing events included.
    const unique = metric(o.id, { aggregationType: 'UNIQUE_COUNT_AGG', code: 'calls', recurring: true });
    const uq = [
      question(unique),
      question(unique, { groupedBy: [], exclude: [[{ key: 'region', values: [''] }]] }),
    ];
    expect(await expectExact(fast, uq)).toBe(0);
    await fast.dims.settled();
    await o.call.ingestBatch(events(30, () => ({ timestamp: new Date(FROM.getTime() - 3_600_000) })));
    expect(await expectExact(fast, uq)).toBe(3);
  });

  it('2: a metric edited (field, filters) never reads the old aggregates, nor after an edit back', async () => {
    const o = await organization('edited');
    await o.call.ingestBatch(events(100));
    const fast = fastService();
    const before = metric(o.id, {});
    await expectExact(fast, [question(before)]);
    await fast.dims.settled();
    expect(await expectExact(fast, [question(before)])).toBe(2);

    // The field and the filters change: another definition; the old one is retired by its activation.
    const after = metric(o.id, {
      fieldName: 'w',
      filters: [
        { key: 'w', values: ['1'] },
        { key: 'region', values: ['eu'] },
      ],
    });
    expect(definitionOf(after).key).not.toBe(definitionOf(before).key);
    expect(await expectExact(fast, [question(after), question(after, { groupedBy: ['w'] })])).toBe(0);
    await fast.dims.settled();
    const generations = await new DimsRepository(t.stack.clickhouse).generations(o.id, 'calls');
    const old = generations.filter((g) => g.definition.key === definitionOf(before).key);
    expect(old.map((g) => g.version)).toEqual([REMOVED]);
    await o.call.ingestBatch(events(50));
    expect(await expectExact(fast, [question(after), question(after, { groupedBy: ['w'] })])).toBe(4);

    // Edited back within the fast service's cache of the old generation: the statements find it no
    // longer ready and the question is asked again on the raw path (the new events included).
    await o.call.ingestBatch(events(50));
    await expectExact(fast, [question(before)]);
    // …and a later question activates a new generation of the old definition.
    await expectExact(fast, [question(before)]);
    await fast.dims.settled();
    expect(await expectExact(fast, [question(before)])).toBe(2);
  });

  it('5: a backfill that fails part way is never served; the next activation starts clean', async () => {
    const o = await organization('faulty');
    await o.call.ingestBatch(events(150));
    const fast = fastService();
    const m = metric(o.id, { aggregationType: 'COUNT_AGG', fieldName: '' });
    // The backfill's rows all land, then the caller hears it failed.
    fast.faults.failAt('backfill', 1, { after: true });
    expect(await expectExact(fast, [question(m)])).toBe(0);
    await fast.dims.settled();
    const store = new DimsRepository(t.stack.clickhouse);
    const [failed] = await store.generations(o.id, 'calls');
    expect(failed.version).toBe(REMOVED);
    expect(await expectExact(fast, [question(m)])).toBe(0);
    // After retryMs: a new generation, whose rows are not added to the failed one's.
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.retryMs + 50));
    await expectExact(fast, [question(m)]);
    await fast.dims.settled();
    const generations = await store.generations(o.id, 'calls');
    expect(generations.map((g) => g.version).sort()).toEqual([READY, REMOVED]);
    expect(await expectExact(fast, [question(m)])).toBe(2);
    expect(fast.faults.calls.backfill).toBe(2);
  });

  it('5: a replica that dies mid-backfill leaves a generation never read; another replica takes over after abandonMs', async () => {
    const o = await organization('crashed');
    await o.call.ingestBatch(events(120));
    const timings = { ...TIMINGS, abandonMs: 4_000 };
    const dying = fastService(timings);
    const m = metric(o.id, { aggregationType: 'LATEST_AGG' });
    dying.faults.failAt('backfill', 1, { hang: true });
    await expectExact(dying, [question(m)]);
    // The dead replica's generation is CREATED and fed from `since` on, never backfilled.
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.marginMs + TIMINGS.settleMs + 200));
    await o.call.ingestBatch(events(20));
    const store = new DimsRepository(t.stack.clickhouse);
    expect((await store.generations(o.id, 'calls')).map((g) => g.version)).toEqual([CREATED]);
    const other = fastService(timings);
    // Not abandoned yet: another replica waits (raw path) rather than start a second generation.
    expect(await expectExact(other, [question(m)])).toBe(0);
    await other.dims.settled();
    expect(other.faults.calls.write).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, timings.abandonMs));
    expect(await expectExact(other, [question(m)])).toBe(0);
    await other.dims.settled();
    const versions = (await store.generations(o.id, 'calls')).map((g) => g.version).sort();
    expect(versions).toEqual([READY, REMOVED]);
    await o.call.ingestBatch(events(20));
    expect(await expectExact(other, [question(m)])).toBe(2);
  });

  it('a failed lookup or definition insert never fails a question', async () => {
    const o = await organization('lookup');
    await o.call.ingestBatch(events(20));
    const fast = fastService();
    const m = metric(o.id, { aggregationType: 'MAX_AGG' });
    fast.faults.failAt('generations');
    expect(await expectExact(fast, [question(m)])).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.retryMs + 50));
    fast.faults.failAt('write');
    expect(await expectExact(fast, [question(m)])).toBe(0);
    await fast.dims.settled();
    expect(fast.faults.calls.write).toBe(1);
  });
});

describe('7: purge', () => {
  /** Polls `read` until it returns `want` (mutations apply in the background). */
  async function eventually<T>(read: () => Promise<T>, want: T): Promise<T> {
    let last = await read();
    for (let i = 0; i < 100 && last !== want; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await read();
    }
    return last;
  }

  it("deletes a generation's aggregate rows, then its definition rows (UInt64 ids as parameters)", async () => {
    const o = await organization('purge');
    await o.call.ingestBatch(events(40));
    const fast = fastService();
    expect(await expectExact(fast, [question(metric(o.id, {}))])).toBe(0);
    await fast.dims.settled();
    const store = new DimsRepository(t.stack.clickhouse);
    const [ready] = (await store.generations(o.id, 'calls')).filter((g) => g.version === READY);
    const rows = async () => {
      const result = await t.stack.clickhouse.query({
        query: 'SELECT count() AS n FROM usage_dims WHERE definition_id = {id:UInt64}',
        query_params: { id: ready.generationId },
        format: 'JSONEachRow',
      });
      return Number((await result.json<{ n: string }>())[0].n);
    };
    expect(await rows()).toBeGreaterThan(0);
    await store.purge([ready.generationId]);
    expect(await eventually(rows, 0)).toBe(0);
    await store.forget(o.id, 'calls', [ready.generationId]);
    const left = () => store.generations(o.id, 'calls').then((list) => list.length);
    expect(await eventually(left, 0)).toBe(0);
  });
});
