import { canonical, Decimal, roundDecimal } from '../../../libs/common/src/decimal';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { AGGREGATION_QUERIES } from './queries';
import { rollupAnswers, rollupStatement } from './rollup/rollup.query';
import { activeCodesStatement, mayHaveEvents } from './rollup/active-codes';
import type { DimsRollups } from './rollup/dims-activation';
import { dimsStatements, type DimsTarget } from './rollup/dims.query';
import type { BuiltQuery, GroupResult, UsageQuery, UsageRow } from './queries/usage-query';
import type { UsageRepository } from './usage.repository';
import { NO_METRICS, type UsageMetrics, type UsagePath } from '../../../libs/observability/src/metrics';
import type { TimeWindow } from './windows';

export interface GroupUsageResult extends GroupResult {
  groupedBy: Record<string, string>;
  nullKeys: string[];
}

/** Usage over one window: exactly the usage of [from, to) asked alone. */
export interface WindowUsageResult extends GroupResult, TimeWindow {
  groups: GroupUsageResult[];
}

export interface UsageResult extends GroupResult {
  code: string;
  aggregationType: MetricDefinition['aggregationType'];
  groups: GroupUsageResult[];
  /** One per window of the question, in time order (SPEC §2.3). */
  windows: WindowUsageResult[];
}

/** One usage question: a metric and the validated query about it. */
export interface UsageQuestion {
  metric: MetricDefinition;
  query: UsageQuery;
  /** Usage over time: windows within the query's [from, to) (queries/… see `asked`). */
  windows?: TimeWindow[];
}

const EMPTY: GroupResult = {
  value: '0',
  eventsCount: '0',
  totalAggregatedUnits: '0',
  preciseTotalAmountCents: '0',
};

/** The answer to a question that selects no event: zeros, every window listed (SPEC §2.3). */
const zeros = (q: UsageQuestion): UsageResult => ({
  code: q.metric.code,
  aggregationType: q.metric.aggregationType,
  ...EMPTY,
  groups: [],
  windows: (q.windows ?? []).map((w) => ({ from: w.from, to: w.to, ...EMPTY, groups: [] })),
});

/**
 * The ungrouped total, then (when grouped) the groups: SPEC §2.3. `check`: also report repeated
 * transaction_ids (UsageQuery.checkDuplicates); with `dedupe`, drop them in SQL. `rollups`: the
 * hourly aggregates' one statement instead, when they can answer (rollup/rollup.query.ts; they
 * count each stored row, so never when checking for repeated keys), bucketed windows included; else
 * `dims`: a ready generation of the metric's own aggregates (rollup/dims.query.ts, for grouped and
 * filtered questions and unique counts, not in bucketed windows).
 */
function statements(
  q: UsageQuestion,
  check: boolean,
  dedupe: boolean,
  rollups = false,
  dims?: DimsTarget,
): Statements {
  const fast = rollups && !check && !dedupe ? rollupStatement(q.query) : null;
  if (fast) return { path: 'hourly', queries: [fast] };
  if (rollups && dims && !check && !dedupe) return { path: 'dims', queries: dimsStatements(q.query, dims) };
  const builder = AGGREGATION_QUERIES[q.metric.aggregationType];
  const query = { ...q.query, checkDuplicates: check || dedupe };
  const total = builder.build({ ...query, groupedBy: [] }, dedupe);
  return {
    path: 'raw',
    queries: query.groupedBy.length > 0 ? [total, builder.build(query, dedupe)] : [total],
  };
}

/** A question's statements and where they read from (metering_usage_answers_total). */
interface Statements {
  path: UsagePath;
  queries: BuiltQuery[];
}

/**
 * SPEC §2.3 usage over time: the question over its whole [from, to), then each window asked as a
 * question of its own, so a window's numbers are by construction those of GetUsage over it alone
 * (recurring history, weighted-sum divisor, duplicate re-check and rounding included).
 */
function windowQuestions(q: UsageQuestion): UsageQuestion[] {
  const windows = (q.windows ?? []).map((w) => ({
    metric: q.metric,
    query: { ...q.query, from: w.from, to: w.to },
  }));
  return [q, ...windows];
}

/**
 * Types whose answer for a window depends on that window's rows only, so one raw statement answers
 * every window (queries/window-buckets.ts; a unique count's per-value state is kept per window).
 * Recurring metrics carry history into every window and weighted sums weigh by each window's own
 * bounds: on the raw path their windows are asked one by one; the hourly aggregates answer them
 * (and every other type they can answer) in one statement (rollup/rollup-windows.ts).
 */
const BUCKETED_TYPES: ReadonlySet<MetricDefinition['aggregationType']> = new Set([
  'COUNT_AGG',
  'SUM_AGG',
  'MAX_AGG',
  'LATEST_AGG',
  'UNIQUE_COUNT_AGG',
]);

/** Whether a windowed question is answered in one statement; `rollups`: the fast path may answer. */
const bucketable = (q: UsageQuestion, rollups: boolean) =>
  (q.windows?.length ?? 0) > 1 &&
  ((!q.metric.recurring && BUCKETED_TYPES.has(q.metric.aggregationType)) ||
    (rollups && rollupAnswers(q.query)));

/** The bucketed form of a windowed question: every window's rows, labelled with its number. */
const inBuckets = (q: UsageQuestion): UsageQuestion => ({
  ...q,
  query: { ...q.query, windowStarts: (q.windows ?? []).map((w) => w.from) },
});

/** A window's numbers out of the answer for it. */
const windowResult = (q: UsageQuestion, answer: UsageResult): WindowUsageResult => ({
  from: q.query.from,
  to: q.query.to,
  value: answer.value,
  eventsCount: answer.eventsCount,
  totalAggregatedUnits: answer.totalAggregatedUnits,
  preciseTotalAmountCents: answer.preciseTotalAmountCents,
  groups: answer.groups,
});

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

/** How usage SQL treats transaction_ids (see UsageQuery.checkDuplicates). */
export interface UsageOptions {
  /**
   * Check every question for a transaction_id stored twice and ask again with the dedupe when one
   * is (USAGE_DUPLICATE_CHECK). Only data written before ingestion claimed every key (issue 9) can
   * hold one; `npm run audit:duplicates` tells whether a deployment's does. Default false.
   */
  checkDuplicates?: boolean;
  /**
   * Answer from the hourly aggregates (`usage_hourly`) the questions they can answer exactly
   * (rollup/rollup.query.ts); false: from the raw events only. Default false; the product turns it on.
   */
  rollups?: boolean;
  /**
   * With `rollups`: the metric-aware aggregates (rollup/dims-activation.ts) for grouped and filtered
   * questions and unique counts; unset: those take the raw path.
   */
  dims?: DimsRollups;
}

/** Usage (SPEC §3): each type's SQL, then the exact reading and rounding (§3.7). */
export class UsageService {
  private readonly checkDuplicates: boolean;
  private readonly rollups: boolean;
  private readonly dims: DimsRollups | null;

  constructor(
    private readonly repository: UsageRepository,
    private readonly metrics: UsageMetrics = NO_METRICS,
    options: UsageOptions = {},
  ) {
    this.checkDuplicates = options.checkDuplicates ?? false;
    this.rollups = options.rollups ?? false;
    this.dims = options.dims ?? null;
  }

  async usage(metric: MetricDefinition, query: UsageQuery, windows?: TimeWindow[]): Promise<UsageResult> {
    const [result] = await this.usages([{ metric, query, windows }]);
    return result;
  }

  /**
   * Several questions (GetSubscriptionUsage: one per metric) answered in one ClickHouse round trip.
   * Ingestion stores each transaction_id once (SPEC §2.2 rule 3: a claim before every insert), so
   * the SQL neither dedupes nor checks. With `checkDuplicates` (data from before the claims) each
   * statement also says when its events repeat a transaction_id; those questions are asked again
   * with the dedupe, where the first accepted row wins.
   */
  async usages(questions: UsageQuestion[]): Promise<UsageResult[]> {
    if (questions.length === 0) return [];
    const started = performance.now();
    const selecting = await this.mayHaveEvents(questions);
    const answered = await this.answerAll(questions.filter((_, i) => selecting[i]));
    let next = 0;
    const results = questions.map((q, i) => (selecting[i] ? answered[next++] : zeros(q)));
    for (const asked of selecting) if (!asked) this.metrics.observeAnswer('skipped');
    const elapsed = performance.now() - started;
    for (const q of questions) this.metrics.observeQuery(q.metric.aggregationType, elapsed);
    return results;
  }

  /**
   * Per question, whether it may select an event. Several questions about one subscription and one
   * [from, to) (GetSubscriptionUsage) first ask which codes have events there, one small statement
   * over the hourly aggregates (rollup/active-codes.ts), so that the metrics without events cost
   * nothing: the call grows with the metrics the subscription uses, not with the organization's.
   * Otherwise (or without rollups) every question is asked.
   */
  private async mayHaveEvents(questions: UsageQuestion[]): Promise<boolean[]> {
    const [first] = questions.map((q) => q.query);
    const shared = questions.every(
      ({ query: q }) =>
        q.organizationId === first.organizationId &&
        q.externalSubscriptionId === first.externalSubscriptionId &&
        q.from.getTime() === first.from.getTime() &&
        q.to.getTime() === first.to.getTime(),
    );
    if (!this.rollups || questions.length < 2 || !shared) return questions.map(() => true);
    const codes = await this.repository.activeCodes(activeCodesStatement(first));
    return questions.map((q) => mayHaveEvents(q.query, codes));
  }

  /** The answers to questions that may select events, in order, in shared round trips. */
  private async answerAll(questions: UsageQuestion[]): Promise<UsageResult[]> {
    if (questions.length === 0) return [];
    // Per question: the whole [from, to), then its windows, bucketed in one statement set or asked
    // one by one; all in the same round trips.
    const fast = this.rollups && !this.checkDuplicates;
    const asked = questions.map((q) => (bucketable(q, fast) ? [q] : windowQuestions(q)));
    const bucketed = questions.filter((q) => bucketable(q, fast));
    const { answers, buckets } = await this.answers(asked.flat(), bucketed);
    let next = 0;
    let nextBucket = 0;
    return Promise.all(
      asked.map(async (own) => {
        const [whole, ...windows] = own.map((q) => ({ q, answer: answers[next++] }));
        const q = whole.q;
        if (!bucketable(q, fast))
          return { ...whole.answer, windows: windows.map((w) => windowResult(w.q, w.answer)) };
        const rows = buckets[nextBucket++];
        const alone = windowQuestions(q).slice(1);
        // A repeated transaction_id among the rows: each window asked alone, with its re-check.
        const perWindow = rows ? this.fromBuckets(alone, rows) : (await this.answers(alone, [])).answers;
        return { ...whole.answer, windows: perWindow.map((answer, i) => windowResult(alone[i], answer)) };
      }),
    );
  }

  /**
   * Each question's usage over its own [from, to), and the rows of each bucketed question's
   * statements (null when they repeat a transaction_id), in shared round trips.
   */
  private async answers(
    questions: UsageQuestion[],
    bucketed: UsageQuestion[],
  ): Promise<{ answers: UsageResult[]; buckets: (UsageRow[][] | null)[] }> {
    // Never rejects: a question without a ready generation takes the raw path.
    const dims =
      this.rollups && this.dims && !this.checkDuplicates ? await this.dims.targets(questions) : new Map();
    const asked = [
      ...questions.map((q) => statements(q, this.checkDuplicates, false, this.rollups, dims.get(q))),
      ...bucketed.map((q) => statements(inBuckets(q), this.checkDuplicates, false, this.rollups)),
    ];
    const all = await this.rowsOf(asked.map((s) => s.queries));
    const rows = all.slice(0, questions.length);
    const buckets = all.slice(questions.length).map((own) => (hasDuplicates(own) ? null : own));
    const repeated = questions.flatMap((_, i) => (hasDuplicates(rows[i]) ? [i] : []));
    if (repeated.length > 0) {
      // From a generation no longer ready (dims.query.ts): look it up again next time.
      for (const i of repeated) if (dims.has(questions[i])) this.dims?.forget(questions[i]);
      const exact = await this.rowsOf(repeated.map((i) => statements(questions[i], true, true).queries));
      repeated.forEach((i, k) => {
        rows[i] = exact[k];
        asked[i] = { ...asked[i], path: 'raw' };
      });
    }
    // Bucketed windows whose rows repeat a key are asked again one by one, and counted then.
    asked.forEach((s, i) => {
      if (i < questions.length || buckets[i - questions.length]) this.metrics.observeAnswer(s.path);
    });
    const answers = questions.map((q, i) => {
      const [total, grouped] = rows[i];
      return this.result(q, total, grouped ?? []);
    });
    return { answers, buckets };
  }

  /** The windows' answers from a bucketed question's rows: each row's first group value is its window. */
  private fromBuckets(windows: UsageQuestion[], [totalRows, groupRows]: UsageRow[][]): UsageResult[] {
    const [totals, groups] = [totalRows, groupRows ?? []].map((rows) => {
      const byWindow: UsageRow[][] = windows.map(() => []);
      for (const row of rows) {
        const [window, ...groupValues] = row.group_values;
        byWindow[Number(window) - 1]?.push({ ...row, group_values: groupValues });
      }
      return byWindow;
    });
    return windows.map((q, i) => this.result(q, totals[i], groups[i]));
  }

  /** Per set of statements, the rows of each (up to PARTS_PER_ROUND_TRIP per round trip). */
  private async rowsOf(parts: BuiltQuery[][]): Promise<UsageRow[][][]> {
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
      windows: [],
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
