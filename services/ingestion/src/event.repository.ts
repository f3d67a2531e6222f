import { TupleParam } from '@clickhouse/client';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { fromClickHouseTime, toClickHouseTime, toClickHouseTimeUs } from '../../../libs/clickhouse/src/time';
import { UnavailableError } from '../../../libs/common/src/errors';
import { eventKey, type EventKeyFields, type StoredEvent } from './event';
import { propertyTexts } from './property-texts';

interface EventRow {
  organization_id: string;
  external_subscription_id: string;
  code: string;
  timestamp: string;
  transaction_id: string;
  lago_id: string;
  external_customer_id: string;
  lago_subscription_id: string;
  lago_customer_id: string;
  properties: string;
  precise_total_amount_cents: string | null;
  created_at: string;
  warnings: string[];
}

/** The columns of an insert, in the order of toRow's values (JSONCompactEachRow: ~1.6x JSONEachRow). */
export const INSERT_COLUMNS = [
  'organization_id',
  'external_subscription_id',
  'code',
  'timestamp',
  'transaction_id',
  'lago_id',
  'external_customer_id',
  'lago_subscription_id',
  'lago_customer_id',
  'properties',
  'property_texts',
  'precise_total_amount_cents',
  'created_at',
  'warnings',
] as const;

export function toRow(e: StoredEvent): unknown[] {
  return [
    e.organizationId,
    e.externalSubscriptionId,
    e.code,
    toClickHouseTime(e.timestamp),
    e.transactionId,
    e.lagoId,
    e.externalCustomerId,
    e.lagoSubscriptionId,
    e.lagoCustomerId,
    JSON.stringify(e.properties),
    propertyTexts(e.properties),
    e.preciseTotalAmountCents,
    toClickHouseTimeUs(e.createdAtUs),
    e.warnings,
  ];
}

function fromRow(r: EventRow & { created_at_us: string }): StoredEvent {
  return {
    organizationId: r.organization_id,
    externalSubscriptionId: r.external_subscription_id,
    code: r.code,
    timestamp: fromClickHouseTime(r.timestamp),
    transactionId: r.transaction_id,
    lagoId: r.lago_id,
    externalCustomerId: r.external_customer_id,
    lagoSubscriptionId: r.lago_subscription_id,
    lagoCustomerId: r.lago_customer_id,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    preciseTotalAmountCents: r.precise_total_amount_cents,
    createdAtUs: Number(r.created_at_us),
    warnings: r.warnings,
  };
}

interface KeyPointer {
  key: string;
  code: string;
  timestamp: string;
  lago_id: string;
}

/** Where a listed event is: the table's sorting key plus its id, and its place in the list. */
interface ListPointer {
  external_subscription_id: string;
  code: string;
  timestamp: string;
  lago_id: string;
  created_at_us: string;
}

/** A position in ListEvents' order (created_at DESC, lago_id DESC): the last event of a page. */
export interface ListCursor {
  createdAtUs: string;
  lagoId: string;
}

/** One page of ListEvents, already validated; every filter optional. */
export interface EventListQuery {
  organizationId: string;
  externalSubscriptionId?: string;
  code?: string;
  from?: Date;
  to?: Date;
  /** Only events after this one in the list order (older). */
  after?: ListCursor;
  limit: number;
}

const COLUMNS = `organization_id, external_subscription_id, code, timestamp, transaction_id, lago_id, external_customer_id,
  lago_subscription_id, lago_customer_id, properties, precise_total_amount_cents, created_at, warnings,
  toString(toUnixTimestamp64Micro(created_at)) AS created_at_us`;

async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new UnavailableError(`event store unavailable (${what}): ${(error as Error).message}`);
  }
}

/** SQL and nothing else: the events table (libs/clickhouse/migrations/0001_create_events.sql). */
export class EventRepository {
  constructor(private readonly clickhouse: ClickHouseClient) {}

  /** One insert; it returns only once ClickHouse has written (and fsynced) the rows. */
  async insert(events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    await storeCall('insert', () =>
      this.clickhouse.insert({
        table: 'events',
        columns: [...INSERT_COLUMNS],
        values: events.map(toRow),
        format: 'JSONCompactEachRow',
      }),
    );
  }

  /**
   * The stored event of each key, or null: a point lookup in the key index (event_keys), then, for
   * the keys found (duplicates, the rare case), a primary-key read of their events. Two queries at
   * most for any number of keys and organizations.
   */
  async findFirst(keys: EventKeyFields[]): Promise<(StoredEvent | null)[]> {
    if (keys.length === 0) return [];
    const texts = keys.map(eventKey);
    const pointers = await storeCall('key index', () => this.pointers(texts));
    if (pointers.length === 0) return keys.map(() => null);
    const byKey = new Map(keys.map((k, i) => [texts[i], k]));
    const events = await storeCall('lookup', () =>
      this.eventsAt(pointers.map((p) => ({ ...p, event: byKey.get(p.key)! }))),
    );
    const found = new Map(events.map((e) => [eventKey(e), e]));
    return texts.map((text) => found.get(text) ?? null);
  }

  /**
   * The stored events at these pointers (the key, the sorting-key columns, the lago_id), by primary
   * key; pointers with no such row are left out. What the claim store reads a claimed key's event with.
   */
  async findAt(
    pointers: (EventKeyFields & { code: string; timestamp: Date; lagoId: string })[],
  ): Promise<StoredEvent[]> {
    if (pointers.length === 0) return [];
    return storeCall('lookup', () =>
      this.eventsAt(
        pointers.map((p) => ({
          key: '',
          code: p.code,
          timestamp: toClickHouseTime(p.timestamp),
          lago_id: p.lagoId,
          event: p,
        })),
      ),
    );
  }

  private async pointers(keys: string[]): Promise<KeyPointer[]> {
    const result = await this.clickhouse.query({
      query: `SELECT key, code, timestamp, lago_id FROM event_keys WHERE key IN {keys:Array(String)}`,
      query_params: { keys },
      format: 'JSONEachRow',
    });
    return result.json<KeyPointer>();
  }

  private async eventsAt(pointers: (KeyPointer & { event: EventKeyFields })[]): Promise<StoredEvent[]> {
    const result = await this.clickhouse.query({
      query: `SELECT ${COLUMNS} FROM events
              WHERE (organization_id, external_subscription_id, code, timestamp)
                    IN {positions:Array(Tuple(String, String, String, DateTime64(3, 'UTC')))}
                AND lago_id IN {ids:Array(UUID)}`,
      query_params: {
        positions: pointers.map(
          (p) =>
            new TupleParam([p.event.organizationId, p.event.externalSubscriptionId, p.code, p.timestamp]),
        ),
        ids: pointers.map((p) => p.lago_id),
      },
      format: 'JSONEachRow',
    });
    return (await result.json<EventRow & { created_at_us: string }>()).map(fromRow);
  }

  /**
   * One page of an organization's events, newest created_at first (ties: greater lago_id first).
   * Two reads: the page's pointers — for one subscription from the events_by_created projection, in
   * order, stopping at the limit (0004_event_warnings_and_listing.sql) — then those events by
   * primary key, like findFirst.
   */
  async list(query: EventListQuery): Promise<StoredEvent[]> {
    const pointers = await storeCall('list', () => this.listPointers(query));
    if (pointers.length === 0) return [];
    const events = await storeCall('list', () =>
      this.eventsAt(
        pointers.map((p) => ({
          key: '',
          code: p.code,
          timestamp: p.timestamp,
          lago_id: p.lago_id,
          event: {
            organizationId: query.organizationId,
            externalSubscriptionId: p.external_subscription_id,
            transactionId: '',
          },
        })),
      ),
    );
    const byId = new Map(events.map((e) => [e.lagoId, e]));
    return pointers.map((p) => byId.get(p.lago_id)).filter((e): e is StoredEvent => e !== undefined);
  }

  private async listPointers(query: EventListQuery): Promise<ListPointer[]> {
    // Fixed SQL fragments per filter given; values travel only as parameters.
    const where = ['organization_id = {organization:String}'];
    const params: Record<string, unknown> = { organization: query.organizationId, limit: query.limit };
    if (query.externalSubscriptionId !== undefined) {
      where.push('external_subscription_id = {subscription:String}');
      params.subscription = query.externalSubscriptionId;
    }
    if (query.code !== undefined) {
      where.push('code = {code:String}');
      params.code = query.code;
    }
    if (query.from !== undefined) {
      where.push(`timestamp >= {from:DateTime64(3, 'UTC')}`);
      params.from = toClickHouseTime(query.from);
    }
    if (query.to !== undefined) {
      where.push(`timestamp < {to:DateTime64(3, 'UTC')}`);
      params.to = toClickHouseTime(query.to);
    }
    if (query.after !== undefined) {
      // The first conjunct alone bounds the read range of the sorting key.
      const at = `fromUnixTimestamp64Micro({after_us:Int64}, 'UTC')`;
      where.push(`created_at <= ${at}`, `(created_at < ${at} OR lago_id < {after_id:UUID})`);
      params.after_us = query.after.createdAtUs;
      params.after_id = query.after.lagoId;
    }
    const result = await this.clickhouse.query({
      query: `SELECT external_subscription_id, code, timestamp, lago_id,
                     toString(toUnixTimestamp64Micro(created_at)) AS created_at_us
              FROM events
              WHERE ${where.join(' AND ')}
              ORDER BY created_at DESC, lago_id DESC
              LIMIT {limit:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return result.json<ListPointer>();
  }
}
