import { TupleParam } from '@clickhouse/client';
import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { fromClickHouseTime, toClickHouseTime, toClickHouseTimeUs } from '../../../libs/clickhouse/src/time';
import { UnavailableError } from '../../../libs/common/src/errors';
import { eventKey, type PreparedEvent, type StoredEvent } from './event';
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
}

function toRow(e: StoredEvent): EventRow & { property_texts: Record<string, string> } {
  return {
    organization_id: e.organizationId,
    external_subscription_id: e.externalSubscriptionId,
    code: e.code,
    timestamp: toClickHouseTime(e.timestamp),
    transaction_id: e.transactionId,
    lago_id: e.lagoId,
    external_customer_id: e.externalCustomerId,
    lago_subscription_id: e.lagoSubscriptionId,
    lago_customer_id: e.lagoCustomerId,
    properties: JSON.stringify(e.properties),
    property_texts: propertyTexts(e.properties),
    precise_total_amount_cents: e.preciseTotalAmountCents,
    created_at: toClickHouseTimeUs(e.createdAtUs),
  };
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
  };
}

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
      this.clickhouse.insert({ table: 'events', values: events.map(toRow), format: 'JSONEachRow' }),
    );
  }

  /** The first stored event of each key, or null; one query for any number of keys and organizations. */
  async findFirst(keys: PreparedEvent[]): Promise<(StoredEvent | null)[]> {
    if (keys.length === 0) return [];
    const rows = await storeCall('lookup', async () => {
      const result = await this.clickhouse.query({
        query: `SELECT organization_id, external_subscription_id, code, timestamp, transaction_id, lago_id,
                       external_customer_id, lago_subscription_id, lago_customer_id, properties,
                       precise_total_amount_cents, created_at, toString(toUnixTimestamp64Micro(created_at)) AS created_at_us
                FROM events
                WHERE (organization_id, external_subscription_id, transaction_id) IN {keys:Array(Tuple(String, String, String))}
                ORDER BY created_at
                LIMIT 1 BY organization_id, external_subscription_id, transaction_id`,
        query_params: {
          keys: keys.map(
            (k) => new TupleParam([k.organizationId, k.externalSubscriptionId, k.transactionId]),
          ),
        },
        format: 'JSONEachRow',
      });
      return result.json<EventRow & { created_at_us: string }>();
    });
    const found = new Map(rows.map(fromRow).map((e) => [eventKey(e), e]));
    return keys.map((k) => found.get(eventKey(k)) ?? null);
  }
}
