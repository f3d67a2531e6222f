import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '../../../libs/common/src/errors';
import { decodeCursor, page, pageSize } from '../../../libs/postgres/src/pagination';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key.repository';

const MAX_NAME_LENGTH = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A page of keys and the token of the next one ('' on the last page). */
export interface ApiKeyPage {
  apiKeys: ApiKeyRecord[];
  nextPageToken: string;
}

/**
 * API keys of the caller's organization (SPEC §2.1): the secret is returned once, at creation;
 * revocation applies to the very next call, and the organization's last active key stays.
 */
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  async create(
    organizationId: string,
    name: string | undefined,
  ): Promise<{ key: ApiKeyRecord; secret: string }> {
    const trimmed = (name ?? '').trim();
    if (trimmed.length > MAX_NAME_LENGTH)
      throw new InvalidArgumentError(`name: at most ${MAX_NAME_LENGTH} characters`);
    return this.keys.create(organizationId, trimmed);
  }

  async list(
    organizationId: string,
    requestedSize: number | undefined,
    pageToken: string | undefined,
  ): Promise<ApiKeyPage> {
    const size = pageSize(requestedSize);
    const rows = await this.keys.list(organizationId, decodeCursor(pageToken), size + 1);
    const { items, nextPageToken } = page(rows, size);
    return { apiKeys: items, nextPageToken };
  }

  /** Revokes a key of the organization (the caller's own key too); a revoked key is returned as is. */
  async revoke(organizationId: string, id: string | undefined): Promise<ApiKeyRecord> {
    if (!id) throw new InvalidArgumentError('id: required');
    if (!UUID.test(id)) throw new InvalidArgumentError('id: must be an API key id (a UUID)');
    const outcome = await this.keys.revoke(organizationId, id.toLowerCase());
    switch (outcome.kind) {
      case 'not_found':
        throw new NotFoundError(`id: no API key "${id}" in this organization`);
      case 'last_active_key':
        throw new FailedPreconditionError(
          `id: "${id}" is the organization's last active API key; create another one before revoking it`,
        );
      case 'revoked':
        return outcome.key;
    }
  }
}
