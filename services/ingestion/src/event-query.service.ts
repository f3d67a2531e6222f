import { InvalidArgumentError, NotFoundError } from '../../../libs/common/src/errors';
import { pageSize } from '../../../libs/postgres/src/pagination';
import type { StoredEvent } from './event';
import type { EventRepository, ListCursor } from './event.repository';
import { MAX_ID_LENGTH } from './steps/validate.step';

/** ListEvents as the contract's request carries it (NestJS decoding: unset messages are null). */
export interface ListEventsInput {
  externalSubscriptionId?: string;
  code?: string;
  from?: Date | null;
  to?: Date | null;
  pageSize?: number;
  pageToken?: string;
}

/** One page of events and the token of the next one ('' on the last page). */
export interface EventPage {
  events: StoredEvent[];
  nextPageToken: string;
}

const TOKEN = /^e1:(\d{1,20}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * ListEvents page tokens: the position of a page's last event in the list order (created_at DESC,
 * lago_id DESC). A position does not move when events arrive (they are newer, so before it), so a
 * token stays valid and no event is skipped or repeated.
 */
export function encodeListToken(cursor: ListCursor): string {
  return Buffer.from(`e1:${cursor.createdAtUs}:${cursor.lagoId}`).toString('base64url');
}

/** The inverse of encodeListToken; null for an empty token. */
export function decodeListToken(token: string | undefined): ListCursor | null {
  if (!token) return null;
  const match = TOKEN.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw new InvalidArgumentError('page_token: not a token this service issued');
  return { createdAtUs: match[1], lagoId: match[2] };
}

function optionalId(value: string | undefined, field: string): string | undefined {
  if (!value) return undefined;
  if (value.length > MAX_ID_LENGTH)
    throw new InvalidArgumentError(`${field}: at most ${MAX_ID_LENGTH} characters`);
  return value;
}

/** GetEvent and ListEvents (SPEC §2.2): reads of the stored events, scoped to one organization. */
export class EventQueryService {
  constructor(private readonly events: EventRepository) {}

  /** The stored event with this key, or NotFoundError. */
  async get(
    organizationId: string,
    externalSubscriptionId: string,
    transactionId: string,
  ): Promise<StoredEvent> {
    if (!transactionId) throw new InvalidArgumentError('transaction_id: required');
    const [found] = await this.events.findFirst([{ organizationId, externalSubscriptionId, transactionId }]);
    if (!found) {
      throw new NotFoundError(
        `event: no event with transaction_id "${transactionId}" for external_subscription_id "${externalSubscriptionId}"`,
      );
    }
    return found;
  }

  /** One page, newest created_at first; every filter optional, `from`/`to` on the event timestamp. */
  async list(organizationId: string, input: ListEventsInput): Promise<EventPage> {
    const size = pageSize(input.pageSize);
    const after = decodeListToken(input.pageToken);
    const from = input.from ?? undefined;
    const to = input.to ?? undefined;
    if (from && to && from.getTime() >= to.getTime())
      throw new InvalidArgumentError('from: must be before to');
    const rows = await this.events.list({
      organizationId,
      externalSubscriptionId: optionalId(input.externalSubscriptionId, 'external_subscription_id'),
      code: optionalId(input.code, 'code'),
      from,
      to,
      after: after ?? undefined,
      limit: size + 1,
    });
    const events = rows.slice(0, size);
    const last = events[events.length - 1];
    const nextPageToken =
      rows.length > size && last
        ? encodeListToken({ createdAtUs: String(last.createdAtUs), lagoId: last.lagoId })
        : '';
    return { events, nextPageToken };
  }
}
