import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { UnavailableError } from '../../../libs/common/src/errors';
import { combineQueries } from './queries/combine';
import type { BuiltQuery, UsageRow } from './queries/usage-query';
import type { ActiveCodeRow, ActiveCodesStatement } from './rollup/active-codes';

/**
 * Statements per round trip: each adds about 1.5 KB of SQL and a dozen parameters, so 50 stay far
 * below ClickHouse's max_query_size (256 KiB) and HTTP URI limit (1 MiB) with room for big filters.
 */
export const PARTS_PER_ROUND_TRIP = 50;

/** Runs builders' SQL; a store failure is UNAVAILABLE. */
export class UsageRepository {
  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly partsPerRoundTrip = PARTS_PER_ROUND_TRIP,
  ) {}

  /** The rows of each query, in order: up to PARTS_PER_ROUND_TRIP queries per ClickHouse round trip. */
  async rowsOf(queries: BuiltQuery[]): Promise<UsageRow[][]> {
    const chunks: BuiltQuery[][] = [];
    for (let i = 0; i < queries.length; i += this.partsPerRoundTrip) {
      chunks.push(queries.slice(i, i + this.partsPerRoundTrip));
    }
    const answers = await Promise.all(chunks.map((chunk) => this.run(combineQueries(chunk))));
    const rows: UsageRow[][] = queries.map(() => []);
    answers.forEach((answer, chunk) => {
      for (const row of answer) rows[chunk * this.partsPerRoundTrip + Number(row.part_index)].push(row);
    });
    return rows;
  }

  /**
   * code → whether it has events in the question's hours (rollup/active-codes.ts); a code absent
   * has none before `to`. UNAVAILABLE when the store fails.
   */
  async activeCodes(statement: ActiveCodesStatement): Promise<Map<string, boolean>> {
    const rows = await this.run<ActiveCodeRow>(statement);
    return new Map(rows.map((row) => [row.code, Number(row.in_window) === 1]));
  }

  private async run<Row = UsageRow>(query: { sql: string; params: Record<string, unknown> }): Promise<Row[]> {
    try {
      const result = await this.clickhouse.query({
        query: query.sql,
        query_params: query.params,
        format: 'JSONEachRow',
      });
      return await result.json<Row>();
    } catch (error) {
      throw new UnavailableError(`event store unavailable: ${(error as Error).message}`);
    }
  }
}
