import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  BillableMetricInput,
  CreateApiKeyRequest,
  DeleteBillableMetricRequest,
  RevokeApiKeyRequest,
  UpdateBillableMetricRequest,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { GetSubscriptionUsageRequest } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

const ROUNDS = 200;

/**
 * SPEC §2.1 "Consistency across services", with the shipped cache settings (the test stack's
 * default): a registry change applies to the very next call on ingestion and aggregation. Every
 * round first makes a call that fills the caches with the state before the change, then changes
 * the registry, then calls at once.
 */
describe('registry changes apply to the very next call', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  it(`${ROUNDS} rounds of change-then-call, every one sees the change`, async () => {
    const { apiKey } = await t.newOrganization();
    const a = api(t, apiKey);
    await a.upsertSubscription({ externalId: 's', externalCustomerId: 'c', startedAt: at('2025-01-01Z') });
    const metric = (code: string, factor: number): Partial<BillableMetricInput> => ({
      code,
      name: code,
      aggregationType: AggregationType.SUM_AGG,
      fieldName: 'x',
      expression: `event.properties.a * ${factor}`,
    });
    const ingest = (code: string, tx: string, extra: object = {}) =>
      a.ingest({
        transactionId: tx,
        externalSubscriptionId: 's',
        code,
        timestamp: at('2026-01-10Z'),
        properties: { a: 5 },
        ...extra,
      });
    const seen: Record<string, number> = {};
    for (let i = 0; i < ROUNDS; i++) {
      const code = `m${Math.floor(i / 5)}`;
      switch (i % 5) {
        case 0: {
          // Created: the next event gets the expression's result, and no unknown_metric_code.
          expect((await ingest(code, `warm-${i}`)).warnings).toContain('unknown_metric_code');
          await a.createMetric(metric(code, 2));
          const r = await ingest(code, `tx-${i}`);
          expect({ i, x: r.event?.properties?.x, warnings: r.warnings }).toEqual({
            i,
            x: '10',
            warnings: [],
          });
          break;
        }
        case 1: {
          // Updated: the next event gets the new expression.
          await ingest(code, `warm-${i}`);
          await unary(
            t.clients.registry,
            'updateBillableMetric',
            UpdateBillableMetricRequest.fromPartial({ code, metric: metric(code, 3) }),
            apiKey,
          );
          expect({ i, x: (await ingest(code, `tx-${i}`)).event?.properties?.x }).toEqual({ i, x: '15' });
          break;
        }
        case 2: {
          // A subscription upserted: an event sent with its customer id resolves to it at once.
          await expectError(
            ingest(code, `warm-${i}`, { externalSubscriptionId: '', externalCustomerId: `cus-${i}` }),
            status.FAILED_PRECONDITION,
          );
          const subscription = await a.upsertSubscription({
            externalId: `sub-${i}`,
            externalCustomerId: `cus-${i}`,
            startedAt: at('2025-01-01Z'),
          });
          const r = await ingest(code, `tx-${i}`, {
            externalSubscriptionId: '',
            externalCustomerId: `cus-${i}`,
          });
          expect({ i, subscription: r.event?.lagoSubscriptionId }).toEqual({
            i,
            subscription: subscription.lagoId,
          });
          break;
        }
        case 3: {
          // Deleted: usage of the code is NOT_FOUND at once, and events are unknown_metric_code again.
          expect((await a.usage({ externalSubscriptionId: 's', code, ...JAN })).code).toBe(code);
          await unary(
            t.clients.registry,
            'deleteBillableMetric',
            DeleteBillableMetricRequest.fromPartial({ code }),
            apiKey,
          );
          await expectError(a.usage({ externalSubscriptionId: 's', code, ...JAN }), status.NOT_FOUND);
          expect((await ingest(code, `tx-${i}`)).warnings).toContain('unknown_metric_code');
          break;
        }
        case 4: {
          // A key created works at once; revoked, it fails on its very next call, on every service.
          const created = await unary(
            t.clients.registry,
            'createApiKey',
            CreateApiKeyRequest.fromPartial({ name: `k${i}` }),
            apiKey,
          );
          const b = api(t, created.key);
          expect(
            (await b.ingest({ transactionId: `k-${i}`, externalSubscriptionId: 's', code })).duplicate,
          ).toBe(false);
          const subscriptionUsage = () =>
            unary(
              t.clients.aggregation,
              'getSubscriptionUsage',
              GetSubscriptionUsageRequest.fromPartial({ externalSubscriptionId: 's', ...JAN }),
              created.key,
            );
          await subscriptionUsage();
          await unary(
            t.clients.registry,
            'revokeApiKey',
            RevokeApiKeyRequest.fromPartial({ id: created.apiKey!.id }),
            apiKey,
          );
          await expectError(
            b.ingest({ transactionId: `k2-${i}`, externalSubscriptionId: 's', code }),
            status.UNAUTHENTICATED,
          );
          await expectError(subscriptionUsage(), status.UNAUTHENTICATED);
          break;
        }
      }
      seen[i % 5] = (seen[i % 5] ?? 0) + 1;
    }
    expect(seen).toEqual({ 0: 40, 1: 40, 2: 40, 3: 40, 4: 40 });
  }, 300_000);
});
