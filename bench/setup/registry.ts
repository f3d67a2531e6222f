import { unary, type MeteringClients } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  CreateBillableMetricRequest,
  GetCallerOrganizationRequest,
  UpsertSubscriptionRequest,
  WeightedInterval,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { customerId } from '../../services/ingestion/src/steps/resolve-subscription.step';
import { customerOf, METRICS, type BenchMetric } from '../model';

/** A subscription as the registry stored it, with the ids the ingestion service writes beside events. */
export interface RegisteredSubscription {
  externalId: string;
  externalCustomerId: string;
  lagoId: string;
  lagoCustomerId: string;
}

export async function callerOrganization(clients: MeteringClients, apiKey: string): Promise<string> {
  const organization = await unary(
    clients.registry,
    'getCallerOrganization',
    GetCallerOrganizationRequest.fromPartial({}),
    apiKey,
  );
  return organization.id;
}

/** The metrics (default: one per aggregation type, bench/model.ts METRICS), through the registry's API. */
export async function createMetrics(
  clients: MeteringClients,
  apiKey: string,
  metrics: readonly BenchMetric[] = METRICS,
): Promise<void> {
  for (const m of metrics) {
    const request = CreateBillableMetricRequest.fromPartial({
      metric: {
        name: m.code,
        code: m.code,
        aggregationType: AggregationType[m.type],
        fieldName: m.fieldName,
        weightedInterval: m.type === 'WEIGHTED_SUM_AGG' ? WeightedInterval.SECONDS : undefined,
        filters: m.filters ?? [],
      },
    });
    await unary(clients.registry, 'createBillableMetric', request, apiKey);
  }
}

/** Upserts the subscriptions (16 calls at a time), active since a year before `since`. */
export async function registerSubscriptions(
  clients: MeteringClients,
  apiKey: string,
  organizationId: string,
  externalIds: string[],
  since: Date,
): Promise<RegisteredSubscription[]> {
  const startedAt = new Date(since.getTime() - 365 * 86_400_000);
  const registered: RegisteredSubscription[] = new Array(externalIds.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < externalIds.length; i = next++) {
      const subscription = {
        externalId: externalIds[i],
        externalCustomerId: customerOf(externalIds[i]),
        startedAt,
      };
      const stored = await unary(
        clients.registry,
        'upsertSubscription',
        UpsertSubscriptionRequest.fromPartial({ subscription }),
        apiKey,
      );
      registered[i] = {
        externalId: stored.externalId,
        externalCustomerId: stored.externalCustomerId,
        lagoId: stored.lagoId,
        lagoCustomerId: customerId(organizationId, stored.externalCustomerId),
      };
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return registered;
}
