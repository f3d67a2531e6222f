import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { callerOf } from '../../../libs/common/src/auth';
import {
  MetricRegistryServiceControllerMethods,
  type ApiKey,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type ListApiKeysRequest,
  type ListApiKeysResponse,
  type RevokeApiKeyRequest,
  type BatchGetSubscriptionsRequest,
  type BatchGetSubscriptionsResponse,
  type BillableMetric,
  type CreateBillableMetricRequest,
  type DeleteBillableMetricRequest,
  type EvaluateExpressionRequest,
  type EvaluateExpressionResponse,
  type GetBillableMetricRequest,
  type GetSubscriptionRequest,
  type ListBillableMetricsRequest,
  type ListBillableMetricsResponse,
  type ListSubscriptionsRequest,
  type ListSubscriptionsResponse,
  type MetricRegistryServiceController,
  type Organization,
  type Subscription,
  type UpdateBillableMetricRequest,
  type UpsertSubscriptionRequest,
} from '../../../libs/contract/src/generated/nest/metering/v1/registry';
import { ApiKeyService } from './api-key.service';
import { ExpressionService } from './expression.service';
import { MetricService } from './metric.service';
import { toApiKey, toBillableMetric, toSubscription } from './registry.mapper';
import { SubscriptionService } from './subscription.service';

/** gRPC handlers only: request → domain call → response. */
@Controller()
@MetricRegistryServiceControllerMethods()
export class RegistryController implements MetricRegistryServiceController {
  constructor(
    private readonly metrics: MetricService,
    private readonly subscriptions: SubscriptionService,
    private readonly expressions: ExpressionService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async createBillableMetric(
    request: CreateBillableMetricRequest,
    metadata: Metadata,
  ): Promise<BillableMetric> {
    return toBillableMetric(await this.metrics.create(callerOf(metadata).id, request.metric));
  }

  async getBillableMetric(request: GetBillableMetricRequest, metadata: Metadata): Promise<BillableMetric> {
    return toBillableMetric(await this.metrics.get(callerOf(metadata).id, request.code));
  }

  async listBillableMetrics(
    request: ListBillableMetricsRequest,
    metadata: Metadata,
  ): Promise<ListBillableMetricsResponse> {
    const found = await this.metrics.list(callerOf(metadata).id, request.pageSize, request.pageToken);
    return { metrics: found.metrics.map(toBillableMetric), nextPageToken: found.nextPageToken };
  }

  async updateBillableMetric(
    request: UpdateBillableMetricRequest,
    metadata: Metadata,
  ): Promise<BillableMetric> {
    return toBillableMetric(await this.metrics.update(callerOf(metadata).id, request.code, request.metric));
  }

  async deleteBillableMetric(
    request: DeleteBillableMetricRequest,
    metadata: Metadata,
  ): Promise<BillableMetric> {
    return toBillableMetric(await this.metrics.delete(callerOf(metadata).id, request.code));
  }

  evaluateExpression(request: EvaluateExpressionRequest): EvaluateExpressionResponse {
    return { value: this.expressions.evaluate(request.expression, request.event) };
  }

  async upsertSubscription(request: UpsertSubscriptionRequest, metadata: Metadata): Promise<Subscription> {
    return toSubscription(await this.subscriptions.upsert(callerOf(metadata).id, request.subscription));
  }

  async getSubscription(request: GetSubscriptionRequest, metadata: Metadata): Promise<Subscription> {
    return toSubscription(await this.subscriptions.get(callerOf(metadata).id, request.externalId));
  }

  async listSubscriptions(
    request: ListSubscriptionsRequest,
    metadata: Metadata,
  ): Promise<ListSubscriptionsResponse> {
    const found = await this.subscriptions.list(
      callerOf(metadata).id,
      request.externalCustomerId,
      request.pageSize,
      request.pageToken,
    );
    return { subscriptions: found.subscriptions.map(toSubscription), nextPageToken: found.nextPageToken };
  }

  async batchGetSubscriptions(
    request: BatchGetSubscriptionsRequest,
    metadata: Metadata,
  ): Promise<BatchGetSubscriptionsResponse> {
    const found = await this.subscriptions.getMany(callerOf(metadata).id, request.externalIds);
    return { subscriptions: found.map(toSubscription) };
  }

  getCallerOrganization(_request: unknown, metadata: Metadata): Organization {
    const { id, name, registryVersion } = callerOf(metadata);
    return { id, name, registryVersion: registryVersion ?? '0' };
  }

  async createApiKey(request: CreateApiKeyRequest, metadata: Metadata): Promise<CreatedApiKey> {
    const { key, secret } = await this.apiKeys.create(callerOf(metadata).id, request.name);
    return { apiKey: toApiKey(key), key: secret };
  }

  async listApiKeys(request: ListApiKeysRequest, metadata: Metadata): Promise<ListApiKeysResponse> {
    const found = await this.apiKeys.list(callerOf(metadata).id, request.pageSize, request.pageToken);
    return { apiKeys: found.apiKeys.map(toApiKey), nextPageToken: found.nextPageToken };
  }

  async revokeApiKey(request: RevokeApiKeyRequest, metadata: Metadata): Promise<ApiKey> {
    return toApiKey(await this.apiKeys.revoke(callerOf(metadata).id, request.id));
  }
}
