import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { UnavailableError } from '../../../libs/common/src/errors';
import type { BuiltQuery, UsageRow } from './queries/usage-query';

/** Runs a builder's SQL; a store failure is UNAVAILABLE. */
export class UsageRepository {
  constructor(private readonly clickhouse: ClickHouseClient) {}

  async rows(query: BuiltQuery): Promise<UsageRow[]> {
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
