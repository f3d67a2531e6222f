import type { SubscriptionRecord } from '../../../../libs/common/src/domain';
import { FailedPreconditionError, InvalidArgumentError } from '../../../../libs/common/src/errors';
import { customerId, resolveSubscription, type SubscriptionLookup } from './resolve-subscription.step';
import type { ValidEvent } from './validate.step';

const subs: SubscriptionRecord[] = [
  {
    id: 'a',
    externalId: 'sub_a',
    externalCustomerId: 'cus_1',
    startedAt: new Date('2026-01-01Z'),
    terminatedAt: new Date('2026-02-01Z'),
  },
  {
    id: 'b',
    externalId: 'sub_b',
    externalCustomerId: 'cus_1',
    startedAt: new Date('2026-02-01Z'),
    terminatedAt: null,
  },
  {
    id: 'c',
    externalId: 'sub_c',
    externalCustomerId: 'cus_1',
    startedAt: new Date('2026-03-01Z'),
    terminatedAt: null,
  },
];
const lookup: SubscriptionLookup = {
  subscription: async (id) => subs.find((s) => s.externalId === id) ?? null,
  subscriptionsOfCustomer: async (id) => subs.filter((s) => s.externalCustomerId === id),
};

function event(over: Partial<ValidEvent>): ValidEvent {
  return {
    transactionId: 't',
    code: 'c',
    externalSubscriptionId: '',
    externalCustomerId: '',
    timestamp: new Date('2026-01-15Z'),
    properties: {},
    preciseTotalAmountCents: null,
    ...over,
  };
}

describe('resolveSubscription (SPEC §2.2 rule 2)', () => {
  it('uses an explicit subscription id, known or not', async () => {
    await expect(
      resolveSubscription('o', event({ externalSubscriptionId: 'sub_b' }), lookup),
    ).resolves.toMatchObject({
      lagoSubscriptionId: 'b',
      externalCustomerId: 'cus_1',
      lagoCustomerId: customerId('o', 'cus_1'),
      warnings: [],
    });
    await expect(
      resolveSubscription('o', event({ externalSubscriptionId: 'nope' }), lookup),
    ).resolves.toMatchObject({
      externalSubscriptionId: 'nope',
      lagoSubscriptionId: '',
      warnings: ['unknown_subscription'],
    });
  });

  it('finds the one subscription active at the timestamp (terminated_at is exclusive)', async () => {
    const at = (iso: string) =>
      resolveSubscription('o', event({ externalCustomerId: 'cus_1', timestamp: new Date(iso) }), lookup);
    await expect(at('2026-01-15Z')).resolves.toMatchObject({ externalSubscriptionId: 'sub_a' });
    await expect(at('2026-02-01Z')).resolves.toMatchObject({ externalSubscriptionId: 'sub_b' });
  });

  it('rejects none or several active subscriptions, saying which', async () => {
    const at = (iso: string) =>
      resolveSubscription('o', event({ externalCustomerId: 'cus_1', timestamp: new Date(iso) }), lookup);
    await expect(at('2025-12-31Z')).rejects.toThrow(FailedPreconditionError);
    await expect(at('2025-12-31Z')).rejects.toThrow('has no subscription active at 2025-12-31T00:00:00.000Z');
    await expect(at('2026-03-02Z')).rejects.toThrow(
      'has 2 subscriptions active at 2026-03-02T00:00:00.000Z ("sub_b", "sub_c")',
    );
  });

  it('needs a subscription or a customer', async () => {
    await expect(resolveSubscription('o', event({}), lookup)).rejects.toThrow(InvalidArgumentError);
  });

  it('derives a stable UUID per organization and customer', () => {
    expect(customerId('o', 'cus_1')).toBe(customerId('o', 'cus_1'));
    expect(customerId('o', 'cus_1')).not.toBe(customerId('p', 'cus_1'));
    expect(customerId('o', 'cus_1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
