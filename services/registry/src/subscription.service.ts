import type { SubscriptionRecord } from '../../../libs/common/src/domain';
import { InvalidArgumentError, NotFoundError } from '../../../libs/common/src/errors';
import { invalidTimestampReason } from '../../../libs/contract/src/timestamp';
import { decodeCursor, page, pageSize } from '../../../libs/postgres/src/pagination';
import type { SubscriptionFields, SubscriptionRepository } from './subscription.repository';

export interface SubscriptionInput {
  externalId?: string;
  externalCustomerId?: string;
  startedAt?: Date | null;
  terminatedAt?: Date | null;
}

export interface SubscriptionPage {
  subscriptions: SubscriptionRecord[];
  nextPageToken: string;
}

const MAX_ID = 255;
const MAX_BATCH_IDS = 10_000;

function id(value: string | undefined, field: string): string {
  const v = value ?? '';
  if (v === '') throw new InvalidArgumentError(`subscription.${field}: required`);
  if (v.length > MAX_ID)
    throw new InvalidArgumentError(`subscription.${field}: at most ${MAX_ID} characters`);
  return v;
}

export function validateSubscription(
  input: SubscriptionInput | null | undefined,
  now: Date,
): SubscriptionFields {
  if (input == null) throw new InvalidArgumentError('subscription: required');
  for (const [field, value] of [
    ['started_at', input.startedAt],
    ['terminated_at', input.terminatedAt],
  ] as const) {
    const invalid = invalidTimestampReason(value);
    if (invalid) throw new InvalidArgumentError(`subscription.${field}: ${invalid}`);
  }
  const startedAt = input.startedAt ?? now;
  const terminatedAt = input.terminatedAt ?? null;
  if (terminatedAt && terminatedAt.getTime() < startedAt.getTime()) {
    throw new InvalidArgumentError('subscription.terminated_at: must not be before started_at');
  }
  return {
    externalId: id(input.externalId, 'external_id'),
    externalCustomerId: id(input.externalCustomerId, 'external_customer_id'),
    startedAt,
    terminatedAt,
  };
}

export class SubscriptionService {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  upsert(organizationId: string, input: SubscriptionInput | null | undefined): Promise<SubscriptionRecord> {
    return this.subscriptions.upsert(organizationId, validateSubscription(input, new Date()));
  }

  async get(organizationId: string, externalId: string | undefined): Promise<SubscriptionRecord> {
    if (!externalId) throw new InvalidArgumentError('external_id: required');
    const found = await this.subscriptions.findByExternalId(organizationId, externalId);
    if (!found) throw new NotFoundError(`external_id: no subscription "${externalId}"`);
    return found;
  }

  /** The known subscriptions among `externalIds` (unknown ids are left out). */
  async getMany(organizationId: string, externalIds: string[] | undefined): Promise<SubscriptionRecord[]> {
    const ids = [...new Set(externalIds ?? [])];
    if (ids.length > MAX_BATCH_IDS)
      throw new InvalidArgumentError(`external_ids: at most ${MAX_BATCH_IDS}, got ${ids.length}`);
    return ids.length === 0 ? [] : this.subscriptions.findByExternalIds(organizationId, ids);
  }

  async list(
    organizationId: string,
    externalCustomerId: string | undefined,
    requestedSize: number | undefined,
    pageToken: string | undefined,
  ): Promise<SubscriptionPage> {
    const size = pageSize(requestedSize);
    const rows = await this.subscriptions.list(
      organizationId,
      externalCustomerId ?? '',
      decodeCursor(pageToken),
      size + 1,
    );
    const { items, nextPageToken } = page(rows, size);
    return { subscriptions: items, nextPageToken };
  }
}
