import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { CreateBillableMetricRequest } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { IngestEventRequest } from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { GetUsageRequest } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('smoke', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a metric, ingests, and reads usage', async () => {
    const { apiKey } = await t.newOrganization();
    await unary(
      t.clients.registry,
      'createBillableMetric',
      CreateBillableMetricRequest.fromPartial({
        metric: { name: 'n', code: 'calls', aggregationType: AggregationType.SUM_AGG, fieldName: 'n' },
      }),
      apiKey,
    );
    const r = await unary(
      t.clients.ingestion,
      'ingestEvent',
      IngestEventRequest.fromPartial({
        event: {
          transactionId: 't1',
          externalSubscriptionId: 's',
          code: 'calls',
          timestamp: new Date('2026-01-01T00:00:00Z'),
          properties: { n: 2.5 },
        },
      }),
      apiKey,
    );
    expect(r.duplicate).toBe(false);
    const usage = await unary(
      t.clients.aggregation,
      'getUsage',
      GetUsageRequest.fromPartial({
        externalSubscriptionId: 's',
        code: 'calls',
        from: new Date('2026-01-01T00:00:00Z'),
        to: new Date('2026-02-01T00:00:00Z'),
      }),
      apiKey,
    );
    expect(usage.value).toBe('2.5');
  });
});
