import { Logger } from '@nestjs/common';
import { TtlCache, type CallerOrganization, type OrganizationResolver } from '../../../libs/common/src/auth';
import { UnauthenticatedError } from '../../../libs/common/src/errors';
import type { ApiKeyRepository } from './api-key.repository';
import { hashApiKey, type OrganizationRepository } from './organization.repository';

/** last_used_at is written at most this often per key (SPEC: approximate). */
const TOUCH_INTERVAL_MS = 60_000;
const MAX_TRACKED_KEYS = 10_000;

/**
 * API key → organization against PostgreSQL, cached briefly. Only active keys are cached (a failed
 * lookup is never kept), and forget() drops a key the moment this registry revoked it, so a revoked
 * key fails on its next call here. Each use is recorded as last_used_at at most once a minute per
 * key, after the answer and off the call's path.
 */
export class ApiKeyResolver implements OrganizationResolver {
  private readonly cache: TtlCache<CallerOrganization>;
  private readonly touched = new Map<string, number>();
  private readonly logger = new Logger('ApiKeyResolver');

  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly keys: ApiKeyRepository | null = null,
    ttlMs = 30_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  async resolve(apiKey: string): Promise<CallerOrganization> {
    const hash = hashApiKey(apiKey);
    const organization = await this.cache.get(hash, async () => {
      const found = await this.organizations.findByApiKey(apiKey);
      if (!found) throw new UnauthenticatedError('authorization: unknown or revoked API key');
      return found;
    });
    this.recordUse(hash);
    return organization;
  }

  /** Drops the cached organization of a key (by its SHA-256): called once its revocation committed. */
  forget(keySha256: string): void {
    this.cache.delete(keySha256);
    this.touched.delete(keySha256);
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
