import type { ClickHouseClient } from '../../../../libs/clickhouse/src/clickhouse';
import {
  fromClickHouseTime,
  toClickHouseTime,
  toClickHouseTimeUs,
} from '../../../../libs/clickhouse/src/time';
import type { RollupDefinition } from './dims-definition';
import { backfillStatement } from './dims.query';

/** Versions of a generation's rows in usage_rollup_definitions (migration 0006): the highest wins. */
export const CREATED = 1;
export const READY = 2;
export const REMOVED = 3;
export type GenerationVersion = typeof CREATED | typeof READY | typeof REMOVED;

/** One generation of a rollup definition, as stored (its first version's attributes). */
export interface Generation {
  definition: RollupDefinition;
  /** UInt64 as a decimal string. */
  generationId: string;
  /** The views aggregate the events accepted from this instant (µs kept to ms here) on. */
  since: Date;
  /** The highest version written: CREATED, READY or REMOVED. */
  version: GenerationVersion;
  /** When its first row was written (the activation's start). */
  createdAt: Date;
  /** When its highest version was written (for REMOVED: when it was removed). */
  changedAt: Date;
}

/**
 * The SQL of activations (rollup/dims-activation.ts) and nothing else; `DimsStore` so tests can
 * fail a named call (test/support/faulty-dims.ts). Every value is a bound parameter; a failed call
 * rejects with the client's error (the activation catches it: it never fails a question).
 */
export interface DimsStore {
  /** Every generation of (organization, code), whatever its key and state. */
  generations(organizationId: string, code: string): Promise<Generation[]>;
  /** Writes one version row of a generation (its attributes, version and now as changed_at). */
  write(
    generation: Omit<Generation, 'version' | 'createdAt' | 'changedAt'>,
    version: GenerationVersion,
  ): Promise<void>;
  /** Aggregates the events of the definition accepted before `since` into the generation. */
  backfill(definition: RollupDefinition, generationId: string, since: Date): Promise<void>;
  /** Deletes the aggregate rows of these generations (a mutation, applied in the background). */
  purge(generationIds: string[]): Promise<void>;
  /** Deletes the definition rows of these generations of (organization, code). */
  forget(organizationId: string, code: string, generationIds: string[]): Promise<void>;
}

interface GenerationRow {
  id: string;
  key: string;
  field: string;
  dims: string[];
  by_value: number | string;
  start: string;
  state: number | string;
  created: string;
  changed: string;
}

/** DimsStore on ClickHouse. */
export class DimsRepository implements DimsStore {
  constructor(private readonly clickhouse: ClickHouseClient) {}

  async generations(organizationId: string, code: string): Promise<Generation[]> {
    const result = await this.clickhouse.query({
      query: `
        SELECT definition_id AS id, argMin(definition_key, version) AS key,
               argMin(field_name, version) AS field, argMin(dimensions, version) AS dims,
               argMin(per_value, version) AS by_value, toString(argMin(since, version)) AS start,
               max(version) AS state, toString(min(changed_at)) AS created,
               toString(max(changed_at)) AS changed
        FROM usage_rollup_definitions
        WHERE organization_id = {organization:String} AND code = {code:String}
        GROUP BY definition_id`,
      query_params: { organization: organizationId, code },
      format: 'JSONEachRow',
    });
    const rows = await result.json<GenerationRow>();
    return rows.map((r) => ({
      definition: {
        organizationId,
        code,
        fieldName: r.field,
        dimensions: r.dims,
        perValue: Number(r.by_value) === 1,
        key: r.key,
      },
      generationId: r.id,
      since: fromClickHouseTime(r.start),
      version: Number(r.state) as GenerationVersion,
      createdAt: fromClickHouseTime(r.created),
      changedAt: fromClickHouseTime(r.changed),
    }));
  }

  async write(
    g: Omit<Generation, 'version' | 'createdAt' | 'changedAt'>,
    version: GenerationVersion,
  ): Promise<void> {
    await this.clickhouse.insert({
      table: 'usage_rollup_definitions',
      values: [
        {
          organization_id: g.definition.organizationId,
          code: g.definition.code,
          definition_id: g.generationId,
          definition_key: g.definition.key,
          field_name: g.definition.fieldName,
          dimensions: g.definition.dimensions,
          per_value: g.definition.perValue ? 1 : 0,
          since: toClickHouseTimeUs(g.since.getTime() * 1000),
          version,
          changed_at: toClickHouseTime(new Date()),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  async backfill(definition: RollupDefinition, generationId: string, since: Date): Promise<void> {
    const statement = backfillStatement(definition, generationId, since);
    await this.clickhouse.command({ query: statement.sql, query_params: statement.params });
  }

  async purge(generationIds: string[]): Promise<void> {
    if (generationIds.length === 0) return;
    await this.clickhouse.command({
      query: `ALTER TABLE usage_dims DELETE WHERE definition_id IN {ids:Array(UInt64)}`,
      // UInt64 ids as bigint: a string element would be sent quoted, which Array(UInt64) rejects.
      query_params: { ids: generationIds.map(BigInt) },
    });
  }

  async forget(organizationId: string, code: string, generationIds: string[]): Promise<void> {
    if (generationIds.length === 0) return;
    await this.clickhouse.command({
      query: `ALTER TABLE usage_rollup_definitions DELETE
              WHERE organization_id = {organization:String} AND code = {code:String}
                AND definition_id IN {ids:Array(UInt64)}`,
      query_params: { organization: organizationId, code, ids: generationIds.map(BigInt) },
    });
  }
}
