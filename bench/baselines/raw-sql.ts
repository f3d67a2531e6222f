import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { canonical } from '../../libs/common/src/decimal';
import type { AggregationTypeName } from '../../libs/common/src/domain';
import { AGGREGATION_QUERIES } from '../../services/aggregation/src/queries';
import type { UsageQuery, UsageRow } from '../../services/aggregation/src/queries/usage-query';
import { latency, type Latency } from '../stats';
import { HOT_SUBSCRIPTION, METRICS, type BenchMetric, type Window } from '../model';

export interface RawSqlFigures {
  latencyMs: Latency;
  /** The exact value the aggregation service should answer (the builder's own reading of the row). */
  value: string;
  eventsCount: string;
  /**
   * The same SQL with the per-question duplicate check the service ran before keys were claimed
   * (UsageQuery.checkDuplicates; USAGE_DUPLICATE_CHECK), same run, interleaved with the above.
   */
  withDuplicateCheckMs: Latency;
}

/** The UsageQuery the aggregation service builds for GetUsage(hot subscription, code, window). */
export function usageQuery(organizationId: string, metric: BenchMetric, window: Window): UsageQuery {
  return {
    organizationId,
    externalSubscriptionId: HOT_SUBSCRIPTION,
    code: metric.code,
    aggregationType: metric.type,
    fieldName: metric.fieldName,
    recurring: false,
    from: window.from,
    to: window.to,
    filter: [],
    exclude: [],
    groupedBy: [],
    chargesDurationDays: null,
  };
}

async function timeQuery(
  clickhouse: ClickHouseClient,
  query: UsageQuery,
): Promise<{ ms: number; row?: UsageRow }> {
  const { sql, params } = AGGREGATION_QUERIES[query.aggregationType].build(query);
  const started = performance.now();
  const result = await clickhouse.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  const rows = await result.json<UsageRow>();
  return { ms: performance.now() - started, row: rows[0] };
}

/**
 * The raw engine's time for the exact SQL and parameters the aggregation service runs for each
 * type (AGGREGATION_QUERIES[type].build), on chdb directly: warm-up runs, then measured runs.
 */
export async function rawSql(
  clickhouse: ClickHouseClient,
  organizationId: string,
  window: Window,
  runs: { warmup: number; runs: number },
  log: (line: string) => void,
): Promise<Partial<Record<AggregationTypeName, RawSqlFigures>>> {
  const figures: Partial<Record<AggregationTypeName, RawSqlFigures>> = {};
  for (const metric of METRICS) {
    const query = usageQuery(organizationId, metric, window);
    const samples: number[] = [];
    const checked: number[] = [];
    let row: UsageRow | undefined;
    for (let i = 0; i < runs.warmup + runs.runs; i++) {
      const timed = await timeQuery(clickhouse, query);
      const withCheck = await timeQuery(clickhouse, { ...query, checkDuplicates: true });
      if (i >= runs.warmup) {
        samples.push(timed.ms);
        checked.push(withCheck.ms);
      }
      row = timed.row;
    }
    const read = row ? AGGREGATION_QUERIES[metric.type].read(row, query) : { value: '0', eventsCount: '0' };
    figures[metric.type] = {
      latencyMs: latency(samples),
      value: canonical(read.value),
      eventsCount: read.eventsCount,
      withDuplicateCheckMs: latency(checked),
    };
    const f = figures[metric.type]!;
    log(
      `  raw SQL ${metric.type}: p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms (with the duplicate check: p50 ${f.withDuplicateCheckMs.p50} ms, p99 ${f.withDuplicateCheckMs.p99} ms)`,
    );
  }
  return figures;
}
