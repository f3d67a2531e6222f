import {
  GetSubscriptionUsageRequest,
  GetUsageRequest,
} from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { meteringClients, unary } from '../../libs/testing/src/clients';
import type { BenchConfig } from '../config';
import {
  HOT_SUBSCRIPTION,
  METRICS,
  SCALE_METRIC,
  scaleSubscriptionId,
  scaleWindow,
  type Window,
} from '../model';
import { latency, type Latency } from '../stats';

/** One kind of gRPC call of the probe loop. */
export interface ProbeFigures {
  latencyMs: Latency;
  errors: number;
  errorSamples: string[];
  /** The last answer's value (GetUsage) or how many usages had events (GetSubscriptionUsage). */
  value: string;
}

/** Issue 12 through gRPC: GetSubscriptionUsage at the organization's metrics, and single GetUsage calls. */
export interface GrpcUsageFigures {
  /** GetSubscriptionUsage of the hot subscription: every metric of the organization, a few with events. */
  subscriptionUsage: ProbeFigures & { metrics: number; withEvents: number };
  /** GetUsage COUNT of the hot subscription (100K events), in the same loop: one metric's cost. */
  getUsageHot: ProbeFigures;
  /** GetUsage of the scale metric (SUM) on the largest scale subscription: the gRPC side of its in-process figure. */
  getUsageScale: ProbeFigures & { events: number; subscription: string };
}

type Probe = () => Promise<string>;

/**
 * The three calls in turn, one at a time, from this process (grpc-js; the server is otherwise idle):
 * `warmup` rounds unmeasured, then `runs` measured rounds.
 */
export async function usageProbes(
  address: string,
  apiKey: string,
  window: Window,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<GrpcUsageFigures> {
  const clients = meteringClients({ registry: address, ingestion: address, aggregation: address });
  const largest = config.scale.sizes.at(-1)!;
  const scale = { subscription: scaleSubscriptionId(largest), window: scaleWindow() };
  let metrics = 0;
  let withEvents = 0;
  const probes: Record<keyof GrpcUsageFigures, Probe> = {
    subscriptionUsage: async () => {
      const request = GetSubscriptionUsageRequest.fromPartial({
        externalSubscriptionId: HOT_SUBSCRIPTION,
        ...window,
      });
      const { usages } = await unary(clients.aggregation, 'getSubscriptionUsage', request, apiKey);
      metrics = usages.length;
      withEvents = usages.filter((u) => u.eventsCount !== '0').length;
      return String(withEvents);
    },
    getUsageHot: async () => {
      const request = GetUsageRequest.fromPartial({
        externalSubscriptionId: HOT_SUBSCRIPTION,
        code: METRICS[0].code,
        ...window,
      });
      return (await unary(clients.aggregation, 'getUsage', request, apiKey)).value;
    },
    getUsageScale: async () => {
      const request = GetUsageRequest.fromPartial({
        externalSubscriptionId: scale.subscription,
        code: SCALE_METRIC.code,
        ...scale.window,
      });
      return (await unary(clients.aggregation, 'getUsage', request, apiKey)).value;
    },
  };
  const samples = Object.fromEntries(
    Object.keys(probes).map((k) => [k, { ms: [] as number[], errors: [] as string[], value: '' }]),
  ) as Record<keyof GrpcUsageFigures, { ms: number[]; errors: string[]; value: string }>;
  const { warmup, runs } = config.scale.grpc;
  log(`gRPC usage probes: GetSubscriptionUsage, GetUsage × (${warmup} warm-up + ${runs} measured) rounds`);
  try {
    for (let i = 0; i < warmup + runs; i++) {
      for (const [name, probe] of Object.entries(probes) as [keyof GrpcUsageFigures, Probe][]) {
        const t0 = performance.now();
        try {
          samples[name].value = await probe();
          if (i >= warmup) samples[name].ms.push(performance.now() - t0);
        } catch (error) {
          samples[name].errors.push((error as Error).message);
        }
      }
    }
  } finally {
    clients.close();
  }
  const figures = (name: keyof GrpcUsageFigures): ProbeFigures => ({
    latencyMs: latency(samples[name].ms),
    errors: samples[name].errors.length,
    errorSamples: samples[name].errors.slice(0, 5),
    value: samples[name].value,
  });
  const result: GrpcUsageFigures = {
    subscriptionUsage: { ...figures('subscriptionUsage'), metrics, withEvents },
    getUsageHot: figures('getUsageHot'),
    getUsageScale: { ...figures('getUsageScale'), events: largest, subscription: scale.subscription },
  };
  for (const [name, f] of Object.entries(result) as [string, ProbeFigures][]) {
    log(`  ${name}: p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms, errors ${f.errors}`);
  }
  return result;
}
