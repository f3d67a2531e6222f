import type { AggregationTypeName } from '../../../../libs/common/src/domain';

/** One usage question, after validation: what the SQL builders read. */
export interface UsageQuery {
  organizationId: string;
  externalSubscriptionId: string;
  code: string;
  aggregationType: AggregationTypeName;
  fieldName: string;
  recurring: boolean;
  /** [from, to) */
  from: Date;
  to: Date;
  /** Keep events whose property text is in the list, for every key. */
  filter: { key: string; values: string[] }[];
  /** Drop events matching any set: every key of the set matches (missing property = ''). */
  exclude: { key: string; values: string[] }[][];
  /** Empty: one ungrouped result. */
  groupedBy: string[];
  /** Weighted-sum divisor in days; null: the window length. */
  chargesDurationDays: number | null;
  /**
   * Usage over time in one statement (queries/window-buckets.ts): the start of each window within
   * [from, to), in order; each row's group_values then begins with its window's 1-based number.
   */
  windowStarts?: Date[];
  /**
   * Also report whether a transaction_id is selected twice (`duplicates`, queries/selection.ts
   * `perGroup`): a sort of every selected row's hash. Off by default: ingestion stores each key
   * once (a claim before every insert, SPEC §2.2 rule 3), so the rows are exact without it. On for
   * data written before the claims existed (USAGE_DUPLICATE_CHECK) and for the audit.
   */
  checkDuplicates?: boolean;
}

/** The columns of every builder's rows; a builder lists the optional ones its SQL produces. */
export const BASE_COLUMNS = [
  'group_values',
  'value',
  'events_count',
  'precise_total_amount_cents',
  'duplicates',
] as const;
export const OPTIONAL_COLUMNS = ['initial_level', 'in_window_delta', 'level_ms'] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

export interface BuiltQuery {
  sql: string;
  params: Record<string, unknown>;
  /** Optional columns the SQL produces (none when unset). */
  columns?: readonly OptionalColumn[];
}

/** A row of any builder's SQL: one per group (a single row with group_values [] when ungrouped). */
export interface UsageRow {
  /** Which statement of a combined query the row answers (queries/combine.ts). */
  part_index?: number | string;
  group_values: string[];
  value: string;
  events_count: string;
  precise_total_amount_cents: string;
  /**
   * 1: some transaction_id is selected more than once, so the row is not exact unless the query
   * was built with dedupe (queries/selection.ts `perGroup`).
   */
  duplicates?: number;
  /** Weighted sum only: pieces the exact division is made of, in TypeScript. */
  initial_level?: string;
  in_window_delta?: string;
  level_ms?: string;
}

/** What a builder's row means, exactly. */
export interface GroupResult {
  value: string;
  eventsCount: string;
  totalAggregatedUnits: string;
  preciseTotalAmountCents: string;
}

export interface AggregationQuery {
  /**
   * dedupe: keep one row per transaction_id in SQL (slow). Without it the rows are exact only when
   * they report duplicates = 0, which is every time unless two ingestion processes raced on a key.
   */
  build(query: UsageQuery, dedupe?: boolean): BuiltQuery;
  read(row: UsageRow, query: UsageQuery): GroupResult;
}

export type AggregationQueries = Record<AggregationTypeName, AggregationQuery>;
