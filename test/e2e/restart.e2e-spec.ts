import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { api, at, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('after a restart on the same stores', () => {
  let t: TestStack;
  afterAll(() => t?.stop());

  it('keeps events, metrics and keys, and still answers a retried event as a duplicate', async () => {
    const first = await startTestStack();
    t = first;
    const { apiKey } = await first.newOrganization();
    await api(first, apiKey).createMetric({
      code: 'gb',
      aggregationType: AggregationType.SUM_AGG,
      fieldName: 'gb',
    });
    const event = {
      transactionId: 'r1',
      externalSubscriptionId: 's',
      code: 'gb',
      timestamp: at('2026-01-05Z'),
      properties: { gb: '2.25' },
    };
    const original = await api(first, apiKey).ingest(event);
    await first.restart();

    t = await startTestStack({ reuse: first });
    const again = await api(t, apiKey).ingest({ ...event, properties: { gb: 100 } });
    expect(again).toMatchObject({ duplicate: true, event: original.event });
    expect(await api(t, apiKey).usage({ externalSubscriptionId: 's', code: 'gb', ...JAN })).toMatchObject({
      value: '2.25',
      eventsCount: '1',
    });
  }, 60_000);
});
