import os from 'node:os';
import type { AggregationTypeName } from '../libs/common/src/domain';
import type { BenchConfig } from './config';
import type { IngestFigures } from './load/phase';
import type { ListEventsFigures } from './load/list-events';
import type { UsageFigures } from './load/phases';
import type { GrpcUsageFigures } from './load/usage-probes';
import type { EngineFigures } from './setup/prepare';
import type { ServerResources } from './setup/resources';
import type { RssSummary } from './setup/rss';

/** Everything one run measured: what bench/results/latest.json holds, besides the checks. */
export interface BenchResults {
  date: string;
  quick: boolean;
  totalSeconds: number;
  machine: ReturnType<typeof machine>;
  config: BenchConfig;
  raw: EngineFigures;
  product: {
    ingestEvents: IngestFigures;
    streamEvents: IngestFigures;
    ingestEvent: IngestFigures;
    /** The long unary phase, with the server's resources at its start and end. */
    longUnary: IngestFigures & { resources: { start: ServerResources; end: ServerResources } };
    getUsage: Partial<Record<AggregationTypeName, UsageFigures>>;
    /** Issue 12: GetSubscriptionUsage at the organization's 100 metrics, GetUsage on the 10M subscription. */
    grpcUsage: GrpcUsageFigures;
    /** subscriptionFirstPage, subscriptionDeepPage, organizationFirstPage (bench/load/list-events.ts). */
    listEvents: Record<string, ListEventsFigures>;
  };
  bare: { ingestEvent: IngestFigures };
  /**
   * The same server with the claim shared by ingestion processes (DEDUPE_CLAIMS=postgres on the
   * local PostgreSQL, BENCH_CLAIMS_DATABASE_URL or DATABASE_URL); absent when neither is set.
   */
  sharedClaim?: { ingestEvents: IngestFigures; ingestEvent: IngestFigures; server: string };
  server: RssSummary;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    loadAverageAtEnd: os.loadavg(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}
