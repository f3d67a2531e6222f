import type { DynamicModule, ValueProvider } from '@nestjs/common';
import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import type { AggregationTypeName, MetricDefinition } from '../../libs/common/src/domain';
import type { RegistryClient } from '../../libs/contract/src/registry-client';
import { NO_METRICS } from '../../libs/observability/src/metrics';
import { AggregationModule } from '../../services/aggregation/src/aggregation.module';
import { DimsRollups, type ActivationLog } from '../../services/aggregation/src/rollup/dims-activation';
import { requestWindows, usageQueryOf } from '../../services/aggregation/src/usage.request';
import { UsageRepository } from '../../services/aggregation/src/usage.repository';
import {
  UsageService,
  type UsageQuestion,
  type UsageResult,
} from '../../services/aggregation/src/usage.service';
import {
  METRICS,
  REGIONS,
  SCALE_CODE,
  SCALE_GROUP_KEY,
  SCALE_TIME_ZONE,
  SCALE_UNIQUE_FIELD,
  type Window,
} from '../model';

/** What is asked of a scale subscription: the whole window, by region, or per Paris day. */
export type Shape = 'ungrouped' | 'grouped' | 'windowed';
export const SHAPES: readonly Shape[] = ['ungrouped', 'grouped', 'windowed'];

/**
 * A synthetic metric of `type` on the scale code, as the registry would hold it: the numeric
 * `value` (or `user` for a unique count) and `region` declared as a filter key.
 */
export function scaleDefinition(organizationId: string, type: AggregationTypeName): MetricDefinition {
  const fieldName = METRICS.find((m) => m.type === type)!.fieldName;
  return {
    id: `bench-scale-${type}`,
    organizationId,
    code: SCALE_CODE,
    name: `${SCALE_CODE} ${type}`,
    description: '',
    aggregationType: type,
    fieldName: type === 'UNIQUE_COUNT_AGG' ? SCALE_UNIQUE_FIELD : fieldName,
    recurring: false,
    weightedInterval: type === 'WEIGHTED_SUM_AGG' ? 'SECONDS' : null,
    roundingFunction: null,
    roundingPrecision: null,
    expression: '',
    filters: [{ key: SCALE_GROUP_KEY, values: [...REGIONS] }],
    createdAt: new Date(0),
  };
}

/** The question GetUsage would ask (usage.request.ts, as the controller builds it) for that shape. */
export function scaleQuestion(
  organizationId: string,
  subscription: string,
  type: AggregationTypeName,
  shape: Shape,
  window: Window,
): UsageQuestion {
  const metric = scaleDefinition(organizationId, type);
  const query = usageQueryOf(organizationId, metric, {
    externalSubscriptionId: subscription,
    from: window.from,
    to: window.to,
    filter: [],
    exclude: [],
    groupedBy: shape === 'grouped' ? [SCALE_GROUP_KEY] : [],
    chargesDurationDays: null,
  });
  const windows =
    shape === 'windowed' ? requestWindows({ windowSize: 'DAY', timeZone: SCALE_TIME_ZONE }, window) : [];
  return { metric, query, windows };
}

/** What the product's activations reported (DimsRollups' log): per generation, when and how it ended. */
export interface ActivationEvents {
  /** 'rollup activation started': the generation's `since`. */
  started: { generationId: string; since: Date; at: number }[];
  /** 'rollup activation ready' (durationMs: the whole activation) or '… failed'. */
  ended: { generationId: string; ready: boolean; durationMs?: number; at: number; error?: string }[];
}

/**
 * The bench process is the only writer while the scenario runs (nothing ingests), so an
 * activation need not wait for other processes' inserts: a short margin and settle (the product's
 * defaults, 2 s and 15 s, stay as they are for the servers) leave the backfill as its cost.
 */
export const BENCH_ROLLUP_TIMINGS = { marginMs: 1_000, settleMs: 500, retryMs: 1_000 } as const;

/** The product's UsageService and the activations behind it, as the aggregation module provides them. */
export interface ProductUsage {
  service: UsageService;
  dims: DimsRollups;
  activations: ActivationEvents;
}

function provided<T>(module: DynamicModule, token: abstract new (...args: never[]) => T): T {
  const provider = module.providers?.find(
    (p): p is ValueProvider<T> => typeof p === 'object' && 'provide' in p && p.provide === token,
  );
  if (!provider) throw new Error(`bench: AggregationModule no longer provides ${token.name} by value`);
  return provider.useValue;
}

/**
 * The product's UsageService exactly as the aggregation module provides it (its options, whatever
 * fast paths they turn on), on the given client, with BENCH_ROLLUP_TIMINGS; and its DimsRollups, so
 * that the bench can await an activation (`settled()`). The registry client is not used by the service.
 */
export function productUsage(clickhouse: ClickHouseClient): ProductUsage {
  const activations: ActivationEvents = { started: [], ended: [] };
  const log: ActivationLog = {
    info: (fields, message) => {
      const f = fields as { generationId?: string; since?: string; durationMs?: number };
      if (!f.generationId) return;
      if (message === 'rollup activation started' && f.since)
        activations.started.push({ generationId: f.generationId, since: new Date(f.since), at: Date.now() });
      if (message === 'rollup activation ready')
        activations.ended.push({
          generationId: f.generationId,
          ready: true,
          durationMs: f.durationMs,
          at: Date.now(),
        });
    },
    warn: (fields, message) => {
      const f = fields as { generationId?: string; err?: unknown };
      if (message.startsWith('rollup activation failed') && f.generationId)
        activations.ended.push({
          generationId: f.generationId,
          ready: false,
          at: Date.now(),
          error: String(f.err),
        });
    },
  };
  const module = AggregationModule.forRoot(
    clickhouse,
    undefined as unknown as RegistryClient,
    NO_METRICS,
    { rollupTimings: BENCH_ROLLUP_TIMINGS },
    log,
  );
  return { service: provided(module, UsageService), dims: provided(module, DimsRollups), activations };
}

/**
 * The product without its metric-aware aggregates: what it answers before a definition is ready
 * (the hourly aggregates where they answer, else the raw path), and no activation started.
 */
export function productWithoutDims(clickhouse: ClickHouseClient): UsageService {
  return new UsageService(new UsageRepository(clickhouse), undefined, { rollups: true });
}

/** The raw path: every question from the events themselves (no hourly or other aggregates). */
export function rawUsageService(clickhouse: ClickHouseClient): UsageService {
  return new UsageService(new UsageRepository(clickhouse), undefined, { rollups: false });
}

/** An answer in a form where the order of groups does not matter (in the total and in each window). */
export function comparable(result: UsageResult): string {
  const groups = (list: unknown[]) => list.map((g) => JSON.stringify(g)).sort();
  return JSON.stringify({
    ...result,
    groups: groups(result.groups),
    windows: result.windows.map((w) => ({ ...w, groups: groups(w.groups) })),
  });
}
