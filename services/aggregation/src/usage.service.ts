import { canonical, Decimal, roundDecimal } from '../../../libs/common/src/decimal';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { AGGREGATION_QUERIES } from './queries';
import { rollupStatement } from './rollup/rollup.query';
import type { BuiltQuery, GroupResult, UsageQuery, UsageRow } from './queries/usage-query';
import type { UsageRepository } from './usage.repository';
import { NO_METRICS, type UsageMetrics } from '../../../libs/observability/src/metrics';

export interface GroupUsageResult extends GroupResult {
  groupedBy: Record<string, string>;
  nullKeys: string[];
}

export interface UsageResult extends GroupResult {
  code: string;
  aggregationType: MetricDefinition['aggregationType'];
  groups: GroupUsageResult[];
}

/** One usage question: a metric and the validated query about it. */
export interface UsageQuestion {
  metric: MetricDefinition;
  query: UsageQuery;
}

const EMPTY: GroupResult = {
  value: '0',
  eventsCount: '0',
  totalAggregatedUnits: '0',
  preciseTotalAmountCents: '0',
};

/** The ungrouped total, then (when grouped) the groups: SPEC §2.3. Or the hourly aggregates' one. */
function statements(q: UsageQuestion, dedupe: boolean, rollups: boolean): BuiltQuery[] {
  const fast = rollups ? rollupStatement(q.query) : null;
  if (fast) return [fast];
  const builder = AGGREGATION_QUERIES[q.metric.aggregationType];
  const total = builder.build({ ...q.query, groupedBy: [] }, dedupe);
  return q.query.groupedBy.length > 0 ? [total, builder.build(q.query, dedupe)] : [total];
}

/** Rows that are not exact: a transaction_id selected twice (queries/selection.ts `perGroup`). */
const hasDuplicates = (rows: UsageRow[][]) =>
  rows.some((part) => part.some((row) => Number(row.duplicates) > 0));

/** A missing or empty grouping property is absent from grouped_by and listed in null_keys. */
function labels(keys: string[], values: string[]): { groupedBy: Record<string, string>; nullKeys: string[] } {
  const groupedBy: Record<string, string> = {};
  const nullKeys: string[] = [];
  keys.forEach((key, i) => (values[i] ? (groupedBy[key] = values[i]) : nullKeys.push(key)));
  return { groupedBy, nullKeys };
}

/** SPEC §3.7: the rounding function once, on the final value (of each group). */
function round(metric: MetricDefinition, value: string): string {
  if (!metric.roundingFunction) return value;
  return canonical(roundDecimal(new Decimal(value), metric.roundingFunction, metric.roundingPrecision ?? 0));
}

/** Usage (SPEC §3): each type's SQL, then the exact reading and rounding (§3.7). */
export class UsageService {
  constructor(
    private readonly repository: UsageRepository,
    private readonly metrics: UsageMetrics = NO_METRICS,
    /** Answer from the hourly aggregates where they can (rollup/rollup.query.ts); false: raw events only. */
    private readonly rollups = false,
  ) {}

  async usage(metric: MetricDefinition, query: UsageQuery): Promise<UsageResult> {
    const [result] = await this.usages([{ metric, query }]);
    return result;
  }

  /**
   * Several questions (GetSubscriptionUsage: one per metric) answered in one ClickHouse round trip.
   * Ingestion stores each transaction_id once (SPEC §2.2 rule 3) unless two of its processes race
   * on a key, so the SQL does not dedupe (a sort of every row: 30–70% of the old query time) but says
   * when a question's events repeat a transaction_id; those questions are asked again with the
   * dedupe, where the first accepted row wins.
   */
  async usages(questions: UsageQuestion[]): Promise<UsageResult[]> {
    if (questions.length === 0) return [];
    const started = performance.now();
    const rows = await this.rowsOf(questions, false);
    const repeated = questions.flatMap((_, i) => (hasDuplicates(rows[i]) ? [i] : []));
    if (repeated.length > 0) {
      const exact = await this.rowsOf(
        repeated.map((i) => questions[i]),
        true,
      );
      repeated.forEach((i, k) => (rows[i] = exact[k]));
    }
    const elapsed = performance.now() - started;
    for (const q of questions) this.metrics.observeQuery(q.metric.aggregationType, elapsed);
    return questions.map((q, i) => {
      const [total, grouped] = rows[i];
      return this.result(q, total, grouped ?? []);
    });
  }

  /** Per question, the rows of each of its statements. */
  private async rowsOf(questions: UsageQuestion[], dedupe: boolean): Promise<UsageRow[][][]> {
    const parts = questions.map((q) => statements(q, dedupe, this.rollups));
    const rows = await this.repository.rowsOf(parts.flat());
    let next = 0;
    return parts.map((own) => own.map(() => rows[next++]));
  }

  private result(
    { metric, query }: UsageQuestion,
    totalRows: UsageRow[],
    groupRows: UsageRow[],
  ): UsageResult {
    const [total] = totalRows.map((row) => this.read(metric, query, row));
    return {
      code: metric.code,
      aggregationType: metric.aggregationType,
      ...(total ?? EMPTY),
      groups: groupRows.map((row) => ({
        ...this.read(metric, query, row),
        ...labels(query.groupedBy, row.group_values),
      })),
    };
  }

  private read(metric: MetricDefinition, query: UsageQuery, row: UsageRow): GroupResult {
    const read = AGGREGATION_QUERIES[metric.aggregationType].read(row, query);
    const exact = canonical(read.value);
    return {
      value: round(metric, exact),
      eventsCount: read.eventsCount,
      totalAggregatedUnits: read.totalAggregatedUnits || exact,
      preciseTotalAmountCents: canonical(read.preciseTotalAmountCents),
    };
  }
}
