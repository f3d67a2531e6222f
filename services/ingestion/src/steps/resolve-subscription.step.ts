import { createHash } from 'node:crypto';
import { isActiveAt, type SubscriptionRecord } from '../../../../libs/common/src/domain';
import { FailedPreconditionError, InvalidArgumentError } from '../../../../libs/common/src/errors';
import type { ValidEvent } from './validate.step';

export interface SubscriptionLookup {
  subscription(externalId: string): Promise<SubscriptionRecord | null>;
  subscriptionsOfCustomer(externalCustomerId: string): Promise<SubscriptionRecord[]>;
}

export interface Resolved {
  externalSubscriptionId: string;
  externalCustomerId: string;
  lagoSubscriptionId: string;
  lagoCustomerId: string;
  warnings: string[];
}

/**
 * Customers have no table of their own: they are known through their subscriptions. Their id is
 * derived from (organization, external_customer_id), so it is the same on every replica and forever.
 */
export function customerId(organizationId: string, externalCustomerId: string): string {
  const name = `${organizationId}\u0000${externalCustomerId}`;
  const cached = customerIds.get(name);
  if (cached !== undefined) return cached;
  const h = createHash('sha256').update(name).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  if (customerIds.size >= MAX_CUSTOMER_IDS) customerIds.clear();
  customerIds.set(name, id);
  return id;
}

/** A hash per event showed in profiles of batched ingestion: the ids of recent customers are kept. */
const MAX_CUSTOMER_IDS = 100_000;
const customerIds = new Map<string, string>();

function known(organizationId: string, s: SubscriptionRecord): Resolved {
  return {
    externalSubscriptionId: s.externalId,
    externalCustomerId: s.externalCustomerId,
    lagoSubscriptionId: s.id,
    lagoCustomerId: customerId(organizationId, s.externalCustomerId),
    warnings: [],
  };
}

/**
 * Step 2: SPEC §2.2 rule 2. An explicit subscription id wins (unknown → warning); otherwise the
 * customer must have exactly one subscription active at the event's timestamp.
 */
export async function resolveSubscription(
  organizationId: string,
  event: ValidEvent,
  lookup: SubscriptionLookup,
): Promise<Resolved> {
  if (event.externalSubscriptionId) {
    const found = await lookup.subscription(event.externalSubscriptionId);
    if (found) return known(organizationId, found);
    return {
      externalSubscriptionId: event.externalSubscriptionId,
      externalCustomerId: event.externalCustomerId,
      lagoSubscriptionId: '',
      lagoCustomerId: '',
      warnings: ['unknown_subscription'],
    };
  }
  if (!event.externalCustomerId) {
    throw new InvalidArgumentError(
      'event.external_subscription_id: required unless external_customer_id is set',
    );
  }
  const active = (await lookup.subscriptionsOfCustomer(event.externalCustomerId)).filter((s) =>
    isActiveAt(s, event.timestamp),
  );
  const at = event.timestamp.toISOString();
  if (active.length === 0) {
    throw new FailedPreconditionError(
      `event.external_customer_id: customer "${event.externalCustomerId}" has no subscription active at ${at}`,
    );
  }
  if (active.length > 1) {
    const ids = active.map((s) => `"${s.externalId}"`).join(', ');
    throw new FailedPreconditionError(
      `event.external_customer_id: customer "${event.externalCustomerId}" has ${active.length} subscriptions active at ${at} (${ids}); set external_subscription_id`,
    );
  }
  return known(organizationId, active[0]);
}
