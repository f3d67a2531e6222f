import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { UnavailableError } from '../../../libs/common/src/errors';
import { combineQueries } from './queries/combine';
import type { BuiltQuery, UsageRow } from './queries/usage-query';

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

  private async run(query: BuiltQuery): Promise<UsageRow[]> {
    try {
      const result = await this.clickhouse.query({
        query: query.sql,
        query_params: query.params,
        format: 'JSONEachRow',
      });
      return await result.json<UsageRow>();
    } catch (error) {
      throw new UnavailableError(`event store unavailable: ${(error as Error).message}`);
    }
  }
}
