import type { PreparedEvent, StoredEvent } from '../event';
import { KeyLedger } from './dedupe.step';

function event(transactionId: string, externalSubscriptionId = 's1', organizationId = 'o1'): PreparedEvent {
  return {
    organizationId,
    transactionId,
    externalSubscriptionId,
    externalCustomerId: '',
    code: 'c',
    timestamp: new Date(0),
    properties: {},
    preciseTotalAmountCents: null,
    lagoSubscriptionId: '',
    lagoCustomerId: '',
  };
}

const stored = (e: PreparedEvent): StoredEvent => ({ ...e, lagoId: 'id', createdAtUs: 1, warnings: [] });

describe('KeyLedger', () => {
  it('gives a key to one owner; the others wait for its outcome', async () => {
    const ledger = new KeyLedger();
    const first = ledger.claim(event('t1'));
    const second = ledger.claim(event('t1'));
    expect(first.kind).toBe('owner');
    expect(second.kind).toBe('wait');
    if (first.kind !== 'owner' || second.kind !== 'wait') return;
    first.settle(stored(event('t1')));
    await expect(second.outcome).resolves.toMatchObject({ transactionId: 't1', lagoId: 'id' });
    expect(ledger.size).toBe(0);
  });

  it('scopes keys by organization and subscription', () => {
    const ledger = new KeyLedger();
    expect(ledger.claim(event('t1', 's1', 'o1')).kind).toBe('owner');
    expect(ledger.claim(event('t1', 's2', 'o1')).kind).toBe('owner');
    expect(ledger.claim(event('t1', 's1', 'o2')).kind).toBe('owner');
  });

  it('releases a key whose event was not stored, and settles once', async () => {
    const ledger = new KeyLedger();
    const first = ledger.claim(event('t1'));
    const waiter = ledger.claim(event('t1'));
    if (first.kind !== 'owner' || waiter.kind !== 'wait') throw new Error('unexpected claims');
    first.settle(null);
    first.settle(stored(event('t1')));
    await expect(waiter.outcome).resolves.toBeNull();
    expect(ledger.claim(event('t1')).kind).toBe('owner');
  });
});
