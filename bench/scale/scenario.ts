import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import type { AggregationTypeName } from '../../libs/common/src/domain';
import { toClickHouseTime } from '../../libs/clickhouse/src/time';
import type { UsageQuestion, UsageService } from '../../services/aggregation/src/usage.service';
import type { BenchConfig } from '../config';
import {
  SCALE_CODE,
  SCALE_GROUP_KEY,
  SCALE_TIME_ZONE,
  SCALE_UNIQUE_FIELD,
  scaleWindow,
  type Window,
} from '../model';
import type { Registered } from '../setup/prepare';
import type { Latency } from '../stats';
import { loadScale } from './load';
import { baselinePlan, pathOf, QueryRecorder, timeCalls, type PathRecord } from './measure';
import { activateGroup, activationLine, settled, typeGroups, type ActivationFigures } from './activation';
import {
  comparable,
  productUsage,
  productWithoutDims,
  rawUsageService,
  scaleQuestion,
  SHAPES,
  type Shape,
} from './questions';

/** One question on one scale subscription: the product's answer and time, and the raw path's. */
export interface ScaleQuestionFigures extends PathRecord {
  subscription: string;
  events: number;
  type: AggregationTypeName;
  shape: Shape;
  /** The product's UsageService (its default options), in this process. */
  latencyMs: Latency;
  value: string;
  eventsCount: string;
  groups: number;
  windows: number;
  /**
   * The raw path (every event) on the same question, when the product answered without reading
   * `events`, and whether both answered the same, digit for digit; absent when the product read
   * the events itself (raw: its figures are the raw path's; mixed: mostly).
   */
  raw?: { latencyMs: Latency; same: boolean };
}

/** A bare `uniqExact` of the unique-count values over the same rows (UNIQUE_COUNT's baseline). */
export interface UniqExactFigures {
  events: number;
  grouped: boolean;
  latencyMs: Latency;
  /** Distinct values (summed over the groups when grouped). */
  value: string;
}

/** Issue 12's scenario: what bench/results/latest.json holds under `raw.scale`. */
export interface ScaleFigures {
  code: string;
  window: { from: string; to: string };
  timeZone: string;
  uniqueValues: number;
  loadSeconds: number;
  /** Rows in `events` when the questions were asked. */
  tableRows: number;
  /** Per group of types sharing one rollup definition: its activation before its questions. */
  activations: ActivationFigures[];
  questions: ScaleQuestionFigures[];
  uniqExact: UniqExactFigures[];
  seconds: number;
}

const UNIQ_EXACT_SQL = (grouped: boolean) => `
  SELECT toString(sum(n)) AS value FROM (
    SELECT ${grouped ? `property_texts[{group_key:String}] AS g, ` : ''}uniqExact(property_texts[{field:String}]) AS n
    FROM events
    WHERE organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND code = {code:String}
      AND timestamp >= {from:DateTime64(3, 'UTC')}
      AND timestamp < {to:DateTime64(3, 'UTC')}${grouped ? '\n    GROUP BY g' : ''}
  )`;

interface Services {
  product: UsageService;
  raw: UsageService;
  recorder: QueryRecorder;
}

async function askQuestion(
  services: Services,
  question: UsageQuestion,
  config: BenchConfig['scale'],
): Promise<Omit<ScaleQuestionFigures, 'subscription' | 'events' | 'type' | 'shape'>> {
  const { product, raw, recorder } = services;
  const ask = (service: UsageService) => service.usage(question.metric, question.query, question.windows);
  recorder.take();
  const timed = await timeCalls(() => ask(product), config);
  const path = pathOf(recorder.take(), timed.calls);
  const answer = timed.answer;
  const figures = {
    ...path,
    latencyMs: timed.latencyMs,
    value: answer.value,
    eventsCount: answer.eventsCount,
    groups: answer.groups.length,
    windows: answer.windows.length,
  };
  // Raw or mixed: the product already read the events, the raw path would only repeat it.
  if (path.path !== 'fast') return figures;
  const baseline = await timeCalls(() => ask(raw), baselinePlan(config));
  const same = comparable(baseline.answer) === comparable(answer);
  return { ...figures, raw: { latencyMs: baseline.latencyMs, same } };
}

async function uniqExact(
  clickhouse: ClickHouseClient,
  question: UsageQuestion,
  grouped: boolean,
  config: BenchConfig['scale'],
): Promise<{ latencyMs: Latency; value: string }> {
  const { query } = question;
  const params = {
    organization: query.organizationId,
    subscription: query.externalSubscriptionId,
    code: query.code,
    field: SCALE_UNIQUE_FIELD,
    group_key: SCALE_GROUP_KEY,
    from: toClickHouseTime(query.from),
    to: toClickHouseTime(query.to),
  };
  const run = async () => {
    const result = await clickhouse.query({
      query: UNIQ_EXACT_SQL(grouped),
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await result.json<{ value: string }>())[0]?.value ?? '0';
  };
  const timed = await timeCalls(run, config);
  return { latencyMs: timed.latencyMs, value: timed.answer };
}

const ms = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms (${l.count} runs)`;

/** One scale subscription as it is asked. */
interface Asked {
  organizationId: string;
  subscription: string;
  events: number;
  /** The largest subscription: also asked per Paris day. */
  largest: boolean;
  window: Window;
}

/** Every question of `types` on one subscription. */
async function askTypes(
  services: Services,
  asked: Asked,
  types: AggregationTypeName[],
  config: BenchConfig['scale'],
  log: (line: string) => void,
): Promise<ScaleQuestionFigures[]> {
  const { organizationId, subscription, events, window } = asked;
  const label = events.toLocaleString('en-US');
  const questions: ScaleQuestionFigures[] = [];
  for (const type of types) {
    for (const shape of SHAPES.filter((s) => s !== 'windowed' || asked.largest)) {
      const question = scaleQuestion(organizationId, subscription, type, shape, window);
      const f = await askQuestion(services, question, config);
      questions.push({ subscription, events, type, shape, ...f });
      const raw = f.raw ? `; raw path ${ms(f.raw.latencyMs)}${f.raw.same ? '' : ' — ANSWERS DIFFER'}` : '';
      log(`  ${label} ${type} ${shape}: ${f.path} ${ms(f.latencyMs)}${raw}`);
    }
  }
  return questions;
}

/** The bare uniqExact baselines of one subscription. */
async function askUniqExact(
  clickhouse: ClickHouseClient,
  asked: Asked,
  config: BenchConfig['scale'],
  log: (line: string) => void,
): Promise<UniqExactFigures[]> {
  const { organizationId, subscription, events, window } = asked;
  const uniq: UniqExactFigures[] = [];
  const unique = scaleQuestion(organizationId, subscription, 'UNIQUE_COUNT_AGG', 'ungrouped', window);
  for (const grouped of [false, true]) {
    const f = await uniqExact(clickhouse, unique, grouped, config);
    uniq.push({ events, grouped, ...f });
    log(
      `  ${events.toLocaleString('en-US')} bare uniqExact${grouped ? ' by region' : ''}: ${ms(f.latencyMs)}`,
    );
  }
  return uniq;
}

/**
 * Loads the scale subscriptions (config.scale.sizes events each, one code), then asks each through
 * the product's UsageService in this process: every type ungrouped and grouped by the declared
 * `region` at every size, and per Paris day on the largest; the raw path on the same question where
 * the product read no events; a bare `uniqExact` of the unique-count values at every size.
 */
export async function scaleScenario(
  clickhouse: ClickHouseClient,
  registered: Registered,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<ScaleFigures> {
  const started = Date.now();
  const window = scaleWindow();
  const { sizes, uniqueValues } = config.scale;
  const subscriptions = sizes.map((events, i) => ({ subscription: registered.scale[i], events }));
  log(
    `scale: ${sizes.map((n) => n.toLocaleString('en-US')).join(' / ')} events of ${SCALE_CODE} in [${window.from.toISOString()}, ${window.to.toISOString()})`,
  );
  const { organizationId } = registered;
  const chunkRows = config.preloadChunkRows;
  const load = { organizationId, window, subscriptions, uniqueValues, chunkRows };
  const loadSeconds = await loadScale(clickhouse, load, log);
  const count = await clickhouse.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
  const tableRows = Number((await count.json<{ n: string }>())[0].n);
  log(`scale: loaded in ${loadSeconds} s; ${tableRows.toLocaleString('en-US')} rows in events`);
  const recorder = new QueryRecorder(clickhouse);
  const product = productUsage(recorder.client);
  const raw = rawUsageService(clickhouse);
  const asked: Asked[] = subscriptions.map(({ subscription, events }) => ({
    organizationId,
    subscription: subscription.externalId,
    events,
    largest: events === sizes.at(-1),
    window,
  }));
  const codeEvents = sizes.reduce((a, b) => a + b, 0);
  const questions: ScaleQuestionFigures[] = [];
  const activations: ActivationFigures[] = [];
  for (const group of typeGroups(organizationId)) {
    // One question the definition answers (grouped by region), on the smallest subscription.
    const first = scaleQuestion(organizationId, asked[0].subscription, group.types[0], 'grouped', window);
    const activation = await activateGroup(product, recorder, group, first, codeEvents, config.scale);
    activations.push(activation);
    log(`scale: activation ${activationLine(activation)}`);
    const service = activation.outcome === 'skipped' ? productWithoutDims(recorder.client) : product.service;
    for (const a of asked) {
      questions.push(
        ...(await askTypes({ product: service, raw, recorder }, a, group.types, config.scale, log)),
      );
    }
  }
  const uniq: UniqExactFigures[] = [];
  for (const a of asked) uniq.push(...(await askUniqExact(clickhouse, a, config.scale, log)));
  await settled(product);
  return {
    code: SCALE_CODE,
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    timeZone: SCALE_TIME_ZONE,
    uniqueValues,
    loadSeconds,
    tableRows,
    activations,
    questions,
    uniqExact: uniq,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
