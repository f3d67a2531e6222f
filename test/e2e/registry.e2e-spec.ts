import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  DeleteBillableMetricRequest,
  EvaluateExpressionRequest,
  GetBillableMetricRequest,
  GetSubscriptionRequest,
  ListBillableMetricsRequest,
  ListSubscriptionsRequest,
  RoundingFunction,
  UpdateBillableMetricRequest,
  WeightedInterval,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api, expectError } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('MetricRegistryService', () => {
  let t: TestStack;
  let key: string;
  beforeAll(async () => {
    t = await startTestStack();
    key = (await t.newOrganization()).apiKey;
  }, 60_000);
  afterAll(() => t?.stop());

  const get = (code: string) =>
    unary(t.clients.registry, 'getBillableMetric', GetBillableMetricRequest.fromPartial({ code }), key);

  it('creates, reads, updates, soft-deletes a metric and frees its code', async () => {
    const created = await api(t, key).createMetric({
      code: 'storage',
      aggregationType: AggregationType.WEIGHTED_SUM_AGG,
      fieldName: 'gb',
      recurring: true,
      weightedInterval: WeightedInterval.SECONDS,
      roundingFunction: RoundingFunction.ROUND,
      roundingPrecision: -2,
      filters: [{ key: 'region', values: ['eu', 'us'] }],
    });
    expect(created).toMatchObject({
      code: 'storage',
      recurring: true,
      roundingPrecision: -2,
      filters: [{ key: 'region', values: ['eu', 'us'] }],
    });
    expect(created.lagoId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await get('storage')).toEqual(created);

    const updated = await unary(
      t.clients.registry,
      'updateBillableMetric',
      UpdateBillableMetricRequest.fromPartial({
        code: 'storage',
        metric: {
          name: 'Storage',
          code: 'storage',
          aggregationType: AggregationType.SUM_AGG,
          fieldName: 'gb',
        },
      }),
      key,
    );
    expect(updated).toMatchObject({
      lagoId: created.lagoId,
      aggregationType: AggregationType.SUM_AGG,
      recurring: false,
      filters: [],
    });
    expect(updated.roundingPrecision).toBeUndefined();

    await unary(
      t.clients.registry,
      'deleteBillableMetric',
      DeleteBillableMetricRequest.fromPartial({ code: 'storage' }),
      key,
    );
    await expectError(get('storage'), status.NOT_FOUND, 'code: no billable metric "storage"');
    const again = await api(t, key).createMetric({ code: 'storage' });
    expect(again.lagoId).not.toBe(created.lagoId);
  });

  it('answers every bad input with the code of the spec, naming the field', async () => {
    await api(t, key).createMetric({ code: 'taken' });
    await expectError(
      api(t, key).createMetric({ code: 'taken' }),
      status.ALREADY_EXISTS,
      'metric.code: "taken" is already used',
    );
    await expectError(
      api(t, key).createMetric({ code: 'bad code' }),
      status.INVALID_ARGUMENT,
      /^metric\.code: must match/,
    );
    await expectError(
      api(t, key).createMetric({ code: 's', aggregationType: AggregationType.SUM_AGG }),
      status.INVALID_ARGUMENT,
      'metric.field_name: required for SUM_AGG',
    );
    await expectError(
      api(t, key).createMetric({
        code: 'e',
        aggregationType: AggregationType.SUM_AGG,
        fieldName: 'x',
        expression: '1 +',
      }),
      status.INVALID_ARGUMENT,
      /metric\.expression: parse_error.*position/,
    );
    await expectError(get('missing'), status.NOT_FOUND);
    await expectError(
      unary(
        t.clients.registry,
        'updateBillableMetric',
        UpdateBillableMetricRequest.fromPartial({
          code: 'missing',
          metric: { name: 'm', code: 'missing', aggregationType: AggregationType.COUNT_AGG },
        }),
        key,
      ),
      status.NOT_FOUND,
    );
    await expectError(
      unary(
        t.clients.registry,
        'deleteBillableMetric',
        DeleteBillableMetricRequest.fromPartial({ code: 'missing' }),
        key,
      ),
      status.NOT_FOUND,
    );
    await expectError(
      unary(
        t.clients.registry,
        'listBillableMetrics',
        ListBillableMetricsRequest.fromPartial({ pageToken: 'garbage' }),
        key,
      ),
      status.INVALID_ARGUMENT,
      'page_token',
    );
  });

  it('lists metrics in a stable (created_at, id) order across pages', async () => {
    const { apiKey } = await t.newOrganization();
    const codes = Array.from({ length: 7 }, (_, i) => `m${i}`);
    for (const code of codes) await api(t, apiKey).createMetric({ code });
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await unary(
        t.clients.registry,
        'listBillableMetrics',
        ListBillableMetricsRequest.fromPartial({ pageSize: 3, pageToken }),
        apiKey,
      );
      expect(page.metrics.length).toBeLessThanOrEqual(3);
      seen.push(...page.metrics.map((m) => m.code));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(codes);
  });

  it('upserts subscriptions by external id and lists them by customer', async () => {
    const { apiKey } = await t.newOrganization();
    const first = await api(t, apiKey).upsertSubscription({
      externalId: 'sub_1',
      externalCustomerId: 'cus_1',
      startedAt: new Date('2026-01-01Z'),
    });
    const moved = await api(t, apiKey).upsertSubscription({
      externalId: 'sub_1',
      externalCustomerId: 'cus_1',
      startedAt: new Date('2026-01-01Z'),
      terminatedAt: new Date('2026-03-01Z'),
    });
    expect(moved.lagoId).toBe(first.lagoId);
    expect(moved.terminatedAt).toEqual(new Date('2026-03-01Z'));
    await api(t, apiKey).upsertSubscription({ externalId: 'sub_2', externalCustomerId: 'cus_2' });
    const listed = await unary(
      t.clients.registry,
      'listSubscriptions',
      ListSubscriptionsRequest.fromPartial({ externalCustomerId: 'cus_1' }),
      apiKey,
    );
    expect(listed.subscriptions.map((s) => s.externalId)).toEqual(['sub_1']);
    await expectError(
      unary(
        t.clients.registry,
        'getSubscription',
        GetSubscriptionRequest.fromPartial({ externalId: 'nope' }),
        apiKey,
      ),
      status.NOT_FOUND,
    );
    await expectError(
      api(t, apiKey).upsertSubscription({ externalId: 'sub_3' }),
      status.INVALID_ARGUMENT,
      'subscription.external_customer_id: required',
    );
    await expectError(
      api(t, apiKey).upsertSubscription({
        externalId: 'sub_3',
        externalCustomerId: 'c',
        startedAt: new Date('2026-02-01Z'),
        terminatedAt: new Date('2026-01-01Z'),
      }),
      status.INVALID_ARGUMENT,
      'subscription.terminated_at',
    );
  });

  it('evaluates an expression as a dry run', async () => {
    const evaluate = (expression: string, properties: Record<string, unknown>) =>
      unary(
        t.clients.registry,
        'evaluateExpression',
        EvaluateExpressionRequest.fromPartial({
          expression,
          event: { code: 'c', timestamp: new Date(1_000_000), properties },
        }),
        key,
      );
    await expect(
      evaluate('round(event.properties.a * 3, 2) + event.timestamp', { a: '1.005' }),
    ).resolves.toEqual({ value: '1003.02' });
    await expectError(
      evaluate('1 / event.properties.a', { a: 0 }),
      status.INVALID_ARGUMENT,
      /^division_by_zero/,
    );
    await expectError(evaluate('1 +', {}), status.INVALID_ARGUMENT, /^parse_error/);
  });
});
