import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import {
  bearerToken,
  callerOf,
  type CallerOrganization,
  type OrganizationResolver,
} from '../../common/src/auth';
import type { MetricDefinition, SubscriptionRecord } from '../../common/src/domain';
import { UnauthenticatedError, UnavailableError, UpstreamError } from '../../common/src/errors';
import { MicroBatcher } from '../../common/src/micro-batcher';
import { NO_METRICS, type CacheMetrics } from '../../observability/src/metrics';
import {
  MetricRegistryServiceClient,
  type BillableMetric,
  type Subscription,
} from './generated/client/metering/v1/registry';
import { parseVersion, VersionBarrier, VersionedCache } from './registry-freshness';

/** A caller's credentials, forwarded as they came: the registry authenticates and scopes every lookup. */
export interface CallerCredentials {
  apiKey: string;
  organization: CallerOrganization;
}

const DEADLINE_MS = 5_000;
const PAGE = 1000;
const MAX_IDS_PER_CALL = 10_000;

function toMetric(m: BillableMetric, organizationId: string): MetricDefinition {
  const unset = (v: string) => v.endsWith('_UNSPECIFIED') || v === 'UNRECOGNIZED';
  return {
    id: m.lagoId,
    organizationId,
    code: m.code,
    name: m.name,
    description: m.description,
    aggregationType: m.aggregationType as MetricDefinition['aggregationType'],
    fieldName: m.fieldName,
    recurring: m.recurring,
    weightedInterval: unset(m.weightedInterval) ? null : 'SECONDS',
    roundingFunction: unset(m.roundingFunction)
      ? null
      : (m.roundingFunction as MetricDefinition['roundingFunction']),
    roundingPrecision: m.roundingPrecision ?? null,
    expression: m.expression,
    filters: m.filters,
    createdAt: m.createdAt ?? new Date(0),
  };
}

function toSubscription(s: Subscription): SubscriptionRecord {
  return {
    id: s.lagoId,
    externalId: s.externalId,
    externalCustomerId: s.externalCustomerId,
    startedAt: s.startedAt ?? new Date(0),
    terminatedAt: s.terminatedAt ?? null,
  };
}

/** The registry's answer travels on unchanged; a registry that cannot be reached is UNAVAILABLE. */
function toDomainError(error: ServiceError): Error {
  if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
    return new UnavailableError(`registry unavailable: ${error.details || error.message}`);
  }
  return new UpstreamError(error.code, error.details || error.message);
}

/**
 * How long an unused cache entry is kept in memory (see registryCacheEnv in libs/common/src/config.ts).
 * They bound memory only: freshness comes from the registry version (registry-freshness.ts).
 */
export interface RegistryCacheTtls {
  ttlMs: number;
  /** For a subscription that was found. */
  subscriptionTtlMs: number;
}

export function registryCacheTtls(env: {
  REGISTRY_CACHE_TTL_MS: number;
  REGISTRY_SUBSCRIPTION_TTL_MS: number;
}): RegistryCacheTtls {
  return { ttlMs: env.REGISTRY_CACHE_TTL_MS, subscriptionTtlMs: env.REGISTRY_SUBSCRIPTION_TTL_MS };
}

/**
 * How ingestion and aggregation reach the registry: over gRPC only, with the caller's own key.
 * Every call is authenticated by a GetCallerOrganization that started after the call did (shared
 * by the concurrent calls of one key), which also returns the organization's registry version;
 * metric definitions (per organization) and subscriptions are cached, and a cached one serves a
 * call only if it was loaded at that call's version or later. So a registry change — metric
 * created, updated or deleted, subscription upserted, API key created or revoked — applies to the
 * next call on every service and replica (SPEC §2.1; the protocol: registry-freshness.ts).
 */
export class RegistryClient implements OrganizationResolver {
  private readonly client: MetricRegistryServiceClient;
  private readonly organizations: VersionBarrier<CallerOrganization>;
  private readonly metrics: VersionedCache<Map<string, MetricDefinition>>;
  private readonly subscriptions: VersionedCache<SubscriptionRecord | null>;
  private readonly customerSubscriptions: VersionedCache<SubscriptionRecord[]>;
  private readonly cacheMetrics: CacheMetrics;
  private readonly subscriptionLoaders = new Map<string, MicroBatcher<string, SubscriptionRecord | null>>();

  /** `channel`: TLS credentials (libs/common/src/tls.ts); `metrics`: cache hits and misses. */
  constructor(
    address: string,
    ttls: RegistryCacheTtls,
    options: { channel?: ChannelCredentials; metrics?: CacheMetrics } = {},
  ) {
    this.client = new MetricRegistryServiceClient(address, options.channel ?? credentials.createInsecure());
    this.cacheMetrics = options.metrics ?? NO_METRICS;
    this.organizations = new VersionBarrier((apiKey) => this.callerOrganization(apiKey));
    this.metrics = new VersionedCache(() => ttls.ttlMs);
    this.subscriptions = new VersionedCache((found) => (found ? ttls.subscriptionTtlMs : ttls.ttlMs));
    this.customerSubscriptions = new VersionedCache(() => ttls.ttlMs);
  }

  close(): void {
    this.client.close();
  }

  /**
   * The caller's organization and its registry version, from a registry read that started after
   * this call (the barrier of registry-freshness.ts). Throws UnauthenticatedError for an unknown or
   * revoked key, UnavailableError when the registry cannot be reached.
   */
  resolve(apiKey: string): Promise<CallerOrganization> {
    return this.organizations.get(apiKey);
  }

  private async callerOrganization(apiKey: string): Promise<CallerOrganization> {
    try {
      return await this.unary<object, CallerOrganization>('getCallerOrganization', {}, apiKey);
    } catch (error) {
      if (error instanceof UpstreamError && error.grpcCode === status.UNAUTHENTICATED)
        throw new UnauthenticatedError(error.message);
      throw error;
    }
  }

  /** Every live metric of the caller's organization, by code. */
  metricsOf(caller: CallerCredentials): Promise<Map<string, MetricDefinition>> {
    return this.cached('metrics', this.metrics, caller, caller.organization.id, async () => {
      const byCode = new Map<string, MetricDefinition>();
      let pageToken = '';
      do {
        const page = await this.unary<object, { metrics: BillableMetric[]; nextPageToken: string }>(
          'listBillableMetrics',
          { pageSize: PAGE, pageToken },
          caller.apiKey,
        );
        for (const m of page.metrics) byCode.set(m.code, toMetric(m, caller.organization.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return byCode;
    });
  }

  /** One live metric, or null: the list is as of the call's registry version or later. */
  async metric(caller: CallerCredentials, code: string): Promise<MetricDefinition | null> {
    return (await this.metricsOf(caller)).get(code) ?? null;
  }

  /**
   * One subscription, or null when unknown. Lookups that miss the cache are sent together: the
   * subscriptions of a whole batch of events (and of concurrent calls) take one BatchGetSubscriptions.
   */
  subscription(caller: CallerCredentials, externalId: string): Promise<SubscriptionRecord | null> {
    return this.cached(
      'subscriptions',
      this.subscriptions,
      caller,
      `${caller.organization.id}\u0000${externalId}`,
      async () => {
        const [found] = await this.subscriptionLoader(caller.apiKey).submit([externalId]);
        return found;
      },
    );
  }

  private subscriptionLoader(apiKey: string): MicroBatcher<string, SubscriptionRecord | null> {
    let loader = this.subscriptionLoaders.get(apiKey);
    if (!loader) {
      loader = new MicroBatcher(async (ids) => {
        const unique = [...new Set(ids)];
        const { subscriptions } = await this.unary<object, { subscriptions: Subscription[] }>(
          'batchGetSubscriptions',
          { externalIds: unique },
          apiKey,
        );
        const byId = new Map(subscriptions.map((s) => [s.externalId, toSubscription(s)]));
        return ids.map((id) => byId.get(id) ?? null);
      }, MAX_IDS_PER_CALL);
      if (this.subscriptionLoaders.size > 1000) this.subscriptionLoaders.clear();
      this.subscriptionLoaders.set(apiKey, loader);
    }
    return loader;
  }

  subscriptionsOfCustomer(
    caller: CallerCredentials,
    externalCustomerId: string,
  ): Promise<SubscriptionRecord[]> {
    return this.cached(
      'customer_subscriptions',
      this.customerSubscriptions,
      caller,
      `${caller.organization.id}\u0000${externalCustomerId}`,
      async () => {
        const all: SubscriptionRecord[] = [];
        let pageToken = '';
        do {
          const page = await this.unary<object, { subscriptions: Subscription[]; nextPageToken: string }>(
            'listSubscriptions',
            { externalCustomerId, pageSize: PAGE, pageToken },
            caller.apiKey,
          );
          all.push(...page.subscriptions.map(toSubscription));
          pageToken = page.nextPageToken;
        } while (pageToken);
        return all;
      },
    );
  }

  /**
   * A cache lookup at the caller's registry version, counted as a hit or a miss. A caller without a
   * version (not authenticated through resolve()) is never served from the cache.
   */
  private cached<V>(
    name: string,
    cache: VersionedCache<V>,
    caller: CallerCredentials,
    key: string,
    load: () => Promise<V>,
  ): Promise<V> {
    const version = parseVersion(caller.organization.registryVersion);
    if (version === null) {
      this.cacheMetrics.observeLookup(name, false);
      return load();
    }
    const { value, loaded } = cache.get(key, version, load);
    this.cacheMetrics.observeLookup(name, !loaded);
    return value;
  }

  private unary<Req, Res>(method: string, request: Req, apiKey: string): Promise<Res> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${apiKey}`);
    const call = (this.client as unknown as Record<string, (...args: unknown[]) => void>)[method].bind(
      this.client,
    );
    return new Promise<Res>((resolve, reject) => {
      call(
        request,
        metadata,
        { deadline: Date.now() + DEADLINE_MS },
        (error: ServiceError | null, response: Res) =>
          error ? reject(toDomainError(error)) : resolve(response),
      );
    });
  }
}

/** The caller of the current call, as the auth guard resolved it, with the key to forward. */
export function callerCredentials(metadata: Metadata | undefined): CallerCredentials {
  return { apiKey: bearerToken(metadata), organization: callerOf(metadata) };
}
