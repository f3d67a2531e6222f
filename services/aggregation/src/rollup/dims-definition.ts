import { createHash } from 'node:crypto';
import type { MetricDefinition } from '../../../../libs/common/src/domain';
import type { UsageQuery } from '../queries/usage-query';
import { HOUR_MS } from './rollup.query';

/**
 * What a metric's aggregates are built for (libs/clickhouse/migrations/0006_usage_dims.sql): the
 * events of one (organization, code), aggregated per hour and per tuple of `dimensions` values — for
 * UNIQUE_COUNT (`perValue`) also per value of `fieldName`. Two metrics with the same definition key
 * can be answered from the same aggregates, whatever else differs (rounding, recurring, type among
 * COUNT/SUM/MAX/LATEST/WEIGHTED_SUM): the rows depend on nothing else.
 */
export interface RollupDefinition {
  organizationId: string;
  code: string;
  /** The metric's field ('' for COUNT_AGG). */
  fieldName: string;
  /** The metric's declared filter keys, sorted, each once. */
  dimensions: string[];
  /** UNIQUE_COUNT_AGG: aggregates also per value of the field (usage_dims.value); else value ''. */
  perValue: boolean;
  /** UInt64 as a decimal string: hash of every field above (`definitionKey`). */
  key: string;
}

/** A UInt64 (decimal string) from the first 8 bytes of SHA-256 of the JSON of `parts`. */
function hash64(parts: unknown[]): string {
  return BigInt(
    '0x' + createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16),
  ).toString();
}

/** The key of a definition: equal exactly when the aggregates it asks for are the same. */
export function definitionKey(d: Omit<RollupDefinition, 'key'>): string {
  return hash64(['dims/1', d.organizationId, d.code, d.fieldName, d.dimensions, d.perValue ? 1 : 0]);
}

/**
 * The id of one generation (one activation) of a definition: its rows carry it, so a generation
 * abandoned part way (never marked ready) is never read, and a new activation starts clean.
 * `nonce`: random per activation.
 */
export function generationId(key: string, nonce: string): string {
  return hash64(['generation', key, nonce]);
}

/** The definition a metric's grouped, filtered or unique-count questions are answered from. */
export function definitionOf(metric: MetricDefinition): RollupDefinition {
  const dimensions = [...new Set(metric.filters.map((f) => f.key))].sort();
  const d = {
    organizationId: metric.organizationId,
    code: metric.code,
    fieldName: metric.fieldName,
    dimensions,
    perValue: metric.aggregationType === 'UNIQUE_COUNT_AGG',
  };
  return { ...d, key: definitionKey(d) };
}

/** Every property key a question reads: grouping, filter, exclude. */
export function keysOf(q: UsageQuery): string[] {
  return [...q.groupedBy, ...q.filter.map((f) => f.key), ...q.exclude.flat().map((f) => f.key)];
}

/**
 * Whether the aggregates of `d` answer `q` exactly: every key it groups or filters by is a dimension,
 * [from, to) on whole UTC hours, not bucketed in windows; and the definition is worth having for it —
 * a unique count (usage_hourly cannot answer one), or a question that groups or filters (usage_hourly
 * answers the others).
 */
export function dimsAnswerable(q: UsageQuery, d: RollupDefinition): boolean {
  const keys = keysOf(q);
  if (!d.perValue && keys.length === 0) return false;
  if (d.perValue !== (q.aggregationType === 'UNIQUE_COUNT_AGG')) return false;
  return (
    q.organizationId === d.organizationId &&
    q.code === d.code &&
    q.fieldName === d.fieldName &&
    !q.windowStarts &&
    keys.every((k) => d.dimensions.includes(k)) &&
    q.from.getTime() % HOUR_MS === 0 &&
    q.to.getTime() % HOUR_MS === 0
  );
}
