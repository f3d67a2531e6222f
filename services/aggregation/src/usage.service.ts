import { canonical, Decimal, roundDecimal } from '../../../libs/common/src/decimal';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { AGGREGATION_QUERIES } from './queries';
import type { GroupResult, UsageQuery } from './queries/usage-query';
import type { UsageRepository } from './usage.repository';

export interface GroupUsageResult extends GroupResult {
  groupedBy: Record<string, string>;
  nullKeys: string[];
}

export interface UsageResult extends GroupResult {
  code: string;
  aggregationType: MetricDefinition['aggregationType'];
  groups: GroupUsageResult[];
}

const EMPTY: GroupResult = {
  value: '0',
  eventsCount: '0',
  totalAggregatedUnits: '0',
  preciseTotalAmountCents: '0',
};

/** Usage of one metric (SPEC §3): the type's SQL, then the exact reading and rounding (§3.7). */
export class UsageService {
  constructor(private readonly repository: UsageRepository) {}

  async usage(metric: MetricDefinition, query: UsageQuery): Promise<UsageResult> {
    const [total] = await this.results({ ...query, groupedBy: [] }, metric);
    const groups = query.groupedBy.length > 0 ? await this.results(query, metric) : [];
    return {
      code: metric.code,
      aggregationType: metric.aggregationType,
      ...(total ?? EMPTY),
      groups: groups.map((g) => ({ ...g, ...this.labels(query.groupedBy, g.groupValues) })),
    };
  }

  private async results(
    query: UsageQuery,
    metric: MetricDefinition,
  ): Promise<(GroupResult & { groupValues: string[] })[]> {
    const builder = AGGREGATION_QUERIES[metric.aggregationType];
    const rows = await this.repository.rows(builder.build(query));
    return rows.map((row) => {
      const read = builder.read(row, query);
      const exact = canonical(read.value);
      return {
        value: this.round(metric, exact),
        eventsCount: read.eventsCount,
        totalAggregatedUnits: read.totalAggregatedUnits || exact,
        preciseTotalAmountCents: canonical(read.preciseTotalAmountCents),
        groupValues: row.group_values,
      };
    });
  }

  /** A missing or empty grouping property is absent from grouped_by and listed in null_keys. */
  private labels(
    keys: string[],
    values: string[],
  ): { groupedBy: Record<string, string>; nullKeys: string[] } {
    const groupedBy: Record<string, string> = {};
    const nullKeys: string[] = [];
    keys.forEach((key, i) => (values[i] ? (groupedBy[key] = values[i]) : nullKeys.push(key)));
    return { groupedBy, nullKeys };
  }

  private round(metric: MetricDefinition, value: string): string {
    if (!metric.roundingFunction) return value;
    return canonical(
      roundDecimal(new Decimal(value), metric.roundingFunction, metric.roundingPrecision ?? 0),
    );
  }
}
