import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { NotFoundError } from '../../../libs/common/src/errors';
import { callerCredentials, RegistryClient } from '../../../libs/contract/src/registry-client';
import type { AggregationType } from '../../../libs/contract/src/generated/nest/metering/v1/common';
import {
  AggregationServiceControllerMethods,
  type AggregationServiceController,
  type GetSubscriptionUsageRequest,
  type GetSubscriptionUsageResponse,
  type GetUsageRequest,
  type Usage,
} from '../../../libs/contract/src/generated/nest/metering/v1/aggregation';
import {
  requestWindows,
  requireCode,
  requireSubscription,
  requireWindow,
  toUsageQuery,
  usageQueryOf,
  usageRequestParts,
} from './usage.request';
import { UsageService, type GroupUsageResult, type UsageResult } from './usage.service';

const toGroup = (g: GroupUsageResult) => ({
  groupedBy: g.groupedBy,
  nullKeys: g.nullKeys,
  value: g.value,
  eventsCount: g.eventsCount,
});

function toUsage(u: UsageResult): Usage {
  return {
    code: u.code,
    aggregationType: u.aggregationType as AggregationType,
    value: u.value,
    eventsCount: u.eventsCount,
    totalAggregatedUnits: u.totalAggregatedUnits,
    preciseTotalAmountCents: u.preciseTotalAmountCents,
    groups: u.groups.map(toGroup),
    windows: u.windows.map((w) => ({
      from: w.from,
      to: w.to,
      value: w.value,
      eventsCount: w.eventsCount,
      totalAggregatedUnits: w.totalAggregatedUnits,
      preciseTotalAmountCents: w.preciseTotalAmountCents,
      groups: w.groups.map(toGroup),
    })),
  };
}

/** gRPC handlers only: request → usage query → response. */
@Controller()
@AggregationServiceControllerMethods()
export class AggregationController implements AggregationServiceController {
  constructor(
    private readonly usage: UsageService,
    private readonly registry: RegistryClient,
  ) {}

  async getUsage(request: GetUsageRequest, metadata: Metadata): Promise<Usage> {
    const caller = callerCredentials(metadata);
    requireCode(request.code);
    // Invalid in itself (from >= to, bad filters…) → INVALID_ARGUMENT before the metric is looked up.
    const parts = usageRequestParts(request);
    const windows = requestWindows(request, parts);
    const metric = await this.registry.metric(caller, request.code);
    if (!metric) throw new NotFoundError(`code: no billable metric "${request.code}"`);
    const query = usageQueryOf(caller.organization.id, metric, parts);
    return toUsage(await this.usage.usage(metric, query, windows));
  }

  async getSubscriptionUsage(
    request: GetSubscriptionUsageRequest,
    metadata: Metadata,
  ): Promise<GetSubscriptionUsageResponse> {
    const caller = callerCredentials(metadata);
    requireSubscription(request.externalSubscriptionId);
    const windows = requestWindows(request, requireWindow(request.from, request.to));
    const metrics = [...(await this.registry.metricsOf(caller)).values()];
    const questions = metrics.map((metric) => ({
      metric,
      query: toUsageQuery(caller.organization.id, metric, { ...request, groupedBy: [] }),
      windows,
    }));
    return { usages: (await this.usage.usages(questions)).map(toUsage) };
  }
}
