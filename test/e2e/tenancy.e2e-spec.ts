import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  GetBillableMetricRequest,
  ListBillableMetricsRequest,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { GetSubscriptionUsageRequest } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('organizations and API keys', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(() => t?.stop());

  it('requires a valid bearer key on every service', async () => {
    const anonymous = api(t, '');
    const forged = api(t, 'mk_not_a_key');
    for (const a of [anonymous, forged]) {
      await expectError(a.createMetric({ code: 'x' }), status.UNAUTHENTICATED, 'authorization');
      await expectError(
        a.ingest({ transactionId: 't', externalSubscriptionId: 's', code: 'x' }),
        status.UNAUTHENTICATED,
      );
      await expectError(a.usage({ externalSubscriptionId: 's', code: 'x', ...JAN }), status.UNAUTHENTICATED);
    }
    await expectError(
      unary(t.clients.registry, 'getBillableMetric', GetBillableMetricRequest.fromPartial({ code: 'x' })),
      status.UNAUTHENTICATED,
    );
  });

  it('keeps two organizations from seeing each other’s metrics, events or usage', async () => {
    const acme = api(t, (await t.newOrganization('Acme')).apiKey);
    const globex = api(t, (await t.newOrganization('Globex')).apiKey);
    await acme.createMetric({ code: 'calls', aggregationType: AggregationType.SUM_AGG, fieldName: 'n' });
    await globex.createMetric({ code: 'calls', aggregationType: AggregationType.SUM_AGG, fieldName: 'n' });
    await acme.createMetric({ code: 'acme_only' });

    const event = {
      transactionId: 'same',
      externalSubscriptionId: 'sub',
      code: 'calls',
      timestamp: at('2026-01-05Z'),
    };
    expect((await acme.ingest({ ...event, properties: { n: 10 } })).duplicate).toBe(false);
    expect((await globex.ingest({ ...event, properties: { n: 1 } })).duplicate).toBe(false);

    expect((await acme.usage({ externalSubscriptionId: 'sub', code: 'calls', ...JAN })).value).toBe('10');
    expect((await globex.usage({ externalSubscriptionId: 'sub', code: 'calls', ...JAN })).value).toBe('1');
    await expectError(
      globex.usage({ externalSubscriptionId: 'sub', code: 'acme_only', ...JAN }),
      status.NOT_FOUND,
    );
  });

  it('lists and reads only the caller’s own metrics and subscription usage', async () => {
    const one = await t.newOrganization('One');
    const two = await t.newOrganization('Two');
    await api(t, one.apiKey).createMetric({ code: 'mine' });
    await api(t, one.apiKey).ingest({
      transactionId: 't',
      externalSubscriptionId: 'sub',
      code: 'mine',
      timestamp: at('2026-01-05Z'),
    });
    const listed = await unary(
      t.clients.registry,
      'listBillableMetrics',
      ListBillableMetricsRequest.fromPartial({}),
      two.apiKey,
    );
    expect(listed.metrics).toEqual([]);
    await expectError(
      unary(
        t.clients.registry,
        'getBillableMetric',
        GetBillableMetricRequest.fromPartial({ code: 'mine' }),
        two.apiKey,
      ),
      status.NOT_FOUND,
    );
    const request = GetSubscriptionUsageRequest.fromPartial({ externalSubscriptionId: 'sub', ...JAN });
    const theirs = await unary(t.clients.aggregation, 'getSubscriptionUsage', request, two.apiKey);
    expect(theirs.usages).toEqual([]);
    const mine = await unary(t.clients.aggregation, 'getSubscriptionUsage', request, one.apiKey);
    expect(mine.usages.map((u) => [u.code, u.value])).toEqual([['mine', '1']]);
  });
});
