import { eventKeyText } from '../../../libs/clickhouse/src/event-key';
import type { ValidEvent } from './steps/validate.step';

/** An event that passed validation and subscription resolution (steps 1–2 of the pipeline). */
export interface PreparedEvent extends ValidEvent {
  organizationId: string;
  lagoSubscriptionId: string;
  lagoCustomerId: string;
}

/** An event as stored in ClickHouse. */
export interface StoredEvent extends PreparedEvent {
  lagoId: string;
  /** Acceptance time, microseconds since the epoch. */
  createdAtUs: number;
  /** The warnings it was accepted with (stored with it; none for rows stored before 0004). */
  warnings: string[];
}

/** What identifies a stored event (SPEC §2.2 rule 3). */
export type EventKeyFields = Pick<
  PreparedEvent,
  'organizationId' | 'externalSubscriptionId' | 'transactionId'
>;

/** The idempotency key of SPEC §2.2 rule 3, as the event_keys table spells it. */
export function eventKey(e: EventKeyFields): string {
  return eventKeyText(e.organizationId, e.externalSubscriptionId, e.transactionId);
}
