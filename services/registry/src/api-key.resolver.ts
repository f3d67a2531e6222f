import { TtlCache, type CallerOrganization, type OrganizationResolver } from '../../../libs/common/src/auth';
import { UnauthenticatedError } from '../../../libs/common/src/errors';
import { hashApiKey, type OrganizationRepository } from './organization.repository';

/** API key → organization against PostgreSQL, cached briefly (a revoked key stops working within the TTL). */
export class ApiKeyResolver implements OrganizationResolver {
  private readonly cache: TtlCache<CallerOrganization>;

  constructor(
    private readonly organizations: OrganizationRepository,
    ttlMs = 30_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  resolve(apiKey: string): Promise<CallerOrganization> {
    return this.cache.get(hashApiKey(apiKey), async () => {
      const organization = await this.organizations.findByApiKey(apiKey);
      if (!organization) throw new UnauthenticatedError('authorization: unknown or revoked API key');
      return organization;
    });
  }
}
