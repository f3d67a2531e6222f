import { toClickHouseTime } from '../../../../libs/clickhouse/src/time';
import type { BuiltQuery, UsageQuery } from '../queries/usage-query';
import { HOUR_MS } from './rollup.query';

/**
 * Which of a subscription's metric codes have any event where a question could look: the codes
 * with events in the hours that [from, to) touches (`inWindow`), and those with events in any hour
 * before `to` (every returned code; what a recurring metric reads). Read from `usage_hourly`'s
 * every-event rows (scope 0: one per code and hour, written by the events INSERT itself —
 * libs/clickhouse/migrations/0005), so the cost follows the subscription's hours, not its events.
 *
 * A superset by construction (an hour cut by `from` or `to` counts whole), so a code left out has
 * no event the question could select, and its answer is zeros without asking: GetSubscriptionUsage
 * then costs per metric with events, not per metric of the organization (issue 12).
 */
export type ActiveCodesStatement = Pick<BuiltQuery, 'sql' | 'params'>;

/** One row per code: `code` (String) and `in_window` (UInt8, 1 when an event is in [from, to)'s hours). */
export interface ActiveCodeRow {
  code: string;
  in_window: number | string;
}

/** The statement for every question of one subscription over one [from, to) (GetSubscriptionUsage). */
export function activeCodesStatement(
  q: Pick<UsageQuery, 'organizationId' | 'externalSubscriptionId' | 'from' | 'to'>,
): ActiveCodesStatement {
  const fromHour = new Date(Math.floor(q.from.getTime() / HOUR_MS) * HOUR_MS);
  return {
    sql: `
    SELECT code, toUInt8(max(hour >= {from_hour:DateTime64(3, 'UTC')})) AS in_window
    FROM usage_hourly
    WHERE organization_id = {organization:String}
      AND external_subscription_id = {subscription:String}
      AND scope = 0
      AND hour < {to:DateTime64(3, 'UTC')}
    GROUP BY code`,
    params: {
      organization: q.organizationId,
      subscription: q.externalSubscriptionId,
      from_hour: toClickHouseTime(fromHour),
      to: toClickHouseTime(q.to),
    },
  };
}

/** Whether a question may select an event, given the rows of `activeCodesStatement`. */
export function mayHaveEvents(
  q: Pick<UsageQuery, 'code' | 'recurring'>,
  rows: Map<string, boolean>,
): boolean {
  const inWindow = rows.get(q.code);
  return inWindow === undefined ? false : q.recurring || inWindow;
}
