import { Logger } from '@nestjs/common';
import type { CallerOrganization, OrganizationResolver } from '../../../libs/common/src/auth';
import { UnauthenticatedError } from '../../../libs/common/src/errors';
import type { ApiKeyRepository } from './api-key.repository';
import { hashApiKey, type OrganizationRepository } from './organization.repository';

/** last_used_at is written at most this often per key (SPEC: approximate). */
const TOUCH_INTERVAL_MS = 60_000;
const MAX_TRACKED_KEYS = 10_000;

/**
 * API key → organization (with its registry version), read from PostgreSQL on every call: one
 * indexed query. Nothing is cached here, so a key revoked through any registry replica fails on its
 * very next call on every replica (SPEC §2.1 "Consistency across services"), and the version that
 * GetCallerOrganization returns — which the other services' caches are checked against — is the
 * committed one. Each use is recorded as last_used_at at most once a minute per key, after the
 * answer and off the call's path.
 */
export class ApiKeyResolver implements OrganizationResolver {
  private readonly touched = new Map<string, number>();
  private readonly logger = new Logger('ApiKeyResolver');

  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly keys: ApiKeyRepository | null = null,
  ) {}

  async resolve(apiKey: string): Promise<CallerOrganization> {
    const organization = await this.organizations.findByApiKey(apiKey);
    if (!organization) throw new UnauthenticatedError('authorization: unknown or revoked API key');
    this.recordUse(hashApiKey(apiKey));
    return organization;
  }

  private recordUse(keySha256: string): void {
    if (!this.keys) return;
    const now = Date.now();
    if (now - (this.touched.get(keySha256) ?? 0) < TOUCH_INTERVAL_MS) return;
    if (this.touched.size >= MAX_TRACKED_KEYS) this.touched.clear();
    this.touched.set(keySha256, now);
    this.keys
      .touch(keySha256, new Date(now))
      .catch((error: Error) => this.logger.warn(`last_used_at not recorded: ${error.message}`));
  }
}
