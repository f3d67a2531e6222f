import { InvalidArgumentError } from '../../../../libs/common/src/errors';
import { validateEvent, type EventInput } from './validate.step';

const now = new Date('2026-01-01T00:00:00Z');
const base: EventInput = { transactionId: 't1', code: 'calls', externalSubscriptionId: 's1' };

function error(input: EventInput | null): string {
  try {
    validateEvent(input, now);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error('expected INVALID_ARGUMENT');
}

describe('validateEvent (SPEC §2.2 rules 1, 9 and 11)', () => {
  it.each<[string, EventInput | null, string]>([
    ['event missing', null, 'event: required'],
    ['transaction_id missing', { ...base, transactionId: '' }, 'event.transaction_id: required'],
    [
      'transaction_id too long',
      { ...base, transactionId: 'x'.repeat(256) },
      'event.transaction_id: at most 255 characters',
    ],
    ['code missing', { ...base, code: '' }, 'event.code: required'],
    [
      'before 1970',
      { ...base, timestamp: new Date('1969-12-31T23:59:59.999Z') },
      'event.timestamp: must not be before 1970',
    ],
    [
      'too far ahead',
      { ...base, timestamp: new Date('2126-01-02T00:00:00Z') },
      'event.timestamp: must not be more than 100 years ahead',
    ],
    [
      'properties too large',
      { ...base, properties: { blob: 'x'.repeat(32 * 1024) } },
      'event.properties: 32779 bytes of JSON, at most 32768',
    ],
    [
      'amount not a decimal',
      { ...base, preciseTotalAmountCents: '1e5' },
      'event.precise_total_amount_cents: "1e5" is not a plain decimal',
    ],
    [
      'amount too precise',
      { ...base, preciseTotalAmountCents: '0.' + '1'.repeat(21) },
      'event.precise_total_amount_cents: at most 38 digits',
    ],
    ...['ADD', 'delete', '', 1, true, ['add'], { op: 'add' }].map(
      (operationType): [string, EventInput, string] => [
        `operation_type ${JSON.stringify(operationType)}`,
        { ...base, properties: { operation_type: operationType } },
        'event.properties.operation_type: must be "add" or "remove"',
      ],
    ),
  ])('%s', (_name, input, expected) => {
    expect(error(input)).toContain(expected);
  });

  it('accepts operation_type "add", "remove", null or absent (rule 11)', () => {
    for (const operationType of ['add', 'remove', null, undefined]) {
      const properties = { operation_type: operationType };
      expect(validateEvent({ ...base, properties }, now).properties).toEqual(properties);
    }
  });

  it('accepts the edges and fills defaults', () => {
    const v = validateEvent(
      { ...base, transactionId: 'x'.repeat(255), timestamp: new Date(0), preciseTotalAmountCents: '12.50' },
      now,
    );
    expect(v).toMatchObject({ timestamp: new Date(0), properties: {}, preciseTotalAmountCents: '12.5' });
    expect(validateEvent(base, now).timestamp).toBe(now);
  });
});
