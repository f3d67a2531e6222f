import type { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import type { MetricDefinition } from '../../../libs/common/src/domain';
import { AlreadyExistsError } from '../../../libs/common/src/errors';
import { CURSOR_COLUMN, cursorCondition, type Cursor } from '../../../libs/postgres/src/pagination';
import type { MetricFields } from './metric.validation';

interface MetricRow {
  id: string;
  organization_id: string;
  code: string;
  name: string;
  description: string;
  aggregation_type: MetricDefinition['aggregationType'];
  field_name: string;
  recurring: boolean;
  weighted_interval: 'SECONDS' | null;
  rounding_function: MetricDefinition['roundingFunction'];
  rounding_precision: number | null;
  expression: string;
  filters: MetricDefinition['filters'];
  created_at: Date;
  cursor_us: string;
}

export type StoredMetric = MetricDefinition & { cursorUs: string };

const COLUMNS = `id, organization_id, code, name, description, aggregation_type, field_name, recurring, weighted_interval,
  rounding_function, rounding_precision, expression, filters, created_at, ${CURSOR_COLUMN}`;

const UNIQUE_VIOLATION = '23505';

function toMetric(row: MetricRow): StoredMetric {
  return {
    id: row.id,
    organizationId: row.organization_id,
    code: row.code,
    name: row.name,
    description: row.description,
    aggregationType: row.aggregation_type,
    fieldName: row.field_name,
    recurring: row.recurring,
    weightedInterval: row.weighted_interval,
    roundingFunction: row.rounding_function,
    roundingPrecision: row.rounding_precision,
    expression: row.expression,
    filters: row.filters,
    createdAt: row.created_at,
    cursorUs: row.cursor_us,
  };
}

function fieldValues(f: MetricFields): unknown[] {
  return [
    f.code,
    f.name,
    f.description,
    f.aggregationType,
    f.fieldName,
    f.recurring,
    f.weightedInterval,
    f.roundingFunction,
    f.roundingPrecision,
    f.expression,
    JSON.stringify(f.filters),
  ];
}

/** The unique index on live codes is the arbiter of "code taken", so concurrent creates are safe. */
async function uniqueCode<T>(code: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new AlreadyExistsError(`metric.code: "${code}" is already used by another metric`);
    }
    throw error;
  }
}

export class MetricRepository {
  constructor(private readonly pool: Pool) {}

  async create(organizationId: string, fields: MetricFields): Promise<StoredMetric> {
    return uniqueCode(fields.code, async () => {
      const { rows } = await this.pool.query<MetricRow>(
        `INSERT INTO billable_metrics (id, organization_id, code, name, description, aggregation_type, field_name, recurring,
           weighted_interval, rounding_function, rounding_precision, expression, filters)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         RETURNING ${COLUMNS}`,
        [randomUUID(), organizationId, ...fieldValues(fields)],
      );
      return toMetric(rows[0]);
    });
  }

  async findByCode(organizationId: string, code: string): Promise<StoredMetric | null> {
    const { rows } = await this.pool.query<MetricRow>(
      `SELECT ${COLUMNS} FROM billable_metrics WHERE organization_id = $1 AND code = $2 AND deleted_at IS NULL`,
      [organizationId, code],
    );
    return rows[0] ? toMetric(rows[0]) : null;
  }

  /** Live metrics in (created_at, id) order, after the cursor; `limit` rows at most. */
  async list(organizationId: string, after: Cursor | null, limit: number): Promise<StoredMetric[]> {
    const params: unknown[] = [organizationId, limit];
    let where = 'organization_id = $1 AND deleted_at IS NULL';
    if (after) {
      params.push(after.createdAtUs, after.id);
      where += ` AND ${cursorCondition(3, 4)}`;
    }
    const { rows } = await this.pool.query<MetricRow>(
      `SELECT ${COLUMNS} FROM billable_metrics WHERE ${where} ORDER BY created_at, id LIMIT $2`,
      params,
    );
    return rows.map(toMetric);
  }

  async update(organizationId: string, code: string, fields: MetricFields): Promise<StoredMetric | null> {
    return uniqueCode(fields.code, async () => {
      const { rows } = await this.pool.query<MetricRow>(
        `UPDATE billable_metrics SET code = $3, name = $4, description = $5, aggregation_type = $6, field_name = $7,
           recurring = $8, weighted_interval = $9, rounding_function = $10, rounding_precision = $11, expression = $12,
           filters = $13, updated_at = clock_timestamp()
         WHERE organization_id = $1 AND code = $2 AND deleted_at IS NULL
         RETURNING ${COLUMNS}`,
        [organizationId, code, ...fieldValues(fields)],
      );
      return rows[0] ? toMetric(rows[0]) : null;
    });
  }

  async softDelete(organizationId: string, code: string): Promise<StoredMetric | null> {
    const { rows } = await this.pool.query<MetricRow>(
      `UPDATE billable_metrics SET deleted_at = clock_timestamp()
       WHERE organization_id = $1 AND code = $2 AND deleted_at IS NULL
       RETURNING ${COLUMNS}`,
      [organizationId, code],
    );
    return rows[0] ? toMetric(rows[0]) : null;
  }
}
