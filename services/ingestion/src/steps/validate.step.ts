import { canonical, isPlainDecimal } from '../../../../libs/common/src/decimal';
import { InvalidArgumentError } from '../../../../libs/common/src/errors';
import { isStorableDecimal } from '../../../../libs/clickhouse/src/decimals';
import { invalidTimestampReason } from '../../../../libs/contract/src/timestamp';

/** What the client sent (the contract's EventInput, as NestJS decodes it). */
export interface EventInput {
  transactionId?: string;
  externalSubscriptionId?: string;
  externalCustomerId?: string;
  code?: string;
  timestamp?: Date | null;
  properties?: Record<string, unknown> | null;
  preciseTotalAmountCents?: string;
}

export interface ValidEvent {
  transactionId: string;
  externalSubscriptionId: string;
  externalCustomerId: string;
  code: string;
  timestamp: Date;
  properties: Record<string, unknown>;
  preciseTotalAmountCents: string | null;
}

export const MAX_ID_LENGTH = 255;
export const MAX_PROPERTIES_BYTES = 32 * 1024;

function fail(field: string, reason: string): never {
  throw new InvalidArgumentError(`event.${field}: ${reason}`);
}

function id(value: string | undefined, field: string, required: boolean): string {
  const v = value ?? '';
  if (required && v === '') fail(field, 'required');
  if (v.length > MAX_ID_LENGTH) fail(field, `at most ${MAX_ID_LENGTH} characters`);
  return v;
}

function timestamp(value: Date | null | undefined, now: Date): Date {
  const invalid = invalidTimestampReason(value);
  if (invalid) fail('timestamp', invalid);
  const t = value ?? now;
  if (t.getTime() < 0) fail('timestamp', 'must not be before 1970-01-01T00:00:00Z');
  const limit = new Date(now);
  limit.setUTCFullYear(limit.getUTCFullYear() + 100);
  if (t.getTime() > limit.getTime()) fail('timestamp', 'must not be more than 100 years ahead');
  return t;
}

function properties(value: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const p = value ?? {};
  const bytes = Buffer.byteLength(JSON.stringify(p));
  if (bytes > MAX_PROPERTIES_BYTES)
    fail('properties', `${bytes} bytes of JSON, at most ${MAX_PROPERTIES_BYTES} allowed`);
  // Rule 11: a typo must not silently count as "add" in a unique count.
  const operation = p.operation_type;
  if (operation != null && operation !== 'add' && operation !== 'remove')
    fail('properties.operation_type', 'must be "add" or "remove"');
  return p;
}

function amount(value: string | undefined): string | null {
  if (!value) return null;
  if (!isPlainDecimal(value))
    fail('precise_total_amount_cents', `"${value.slice(0, 50)}" is not a plain decimal`);
  if (!isStorableDecimal(value))
    fail('precise_total_amount_cents', 'at most 38 digits before the point and 20 after it');
  return canonical(value);
}

/** Step 1: rules 1, 9 and 11 of SPEC §2.2. Throws InvalidArgumentError naming the field. */
export function validateEvent(input: EventInput | null | undefined, now: Date): ValidEvent {
  if (input == null) throw new InvalidArgumentError('event: required');
  return {
    transactionId: id(input.transactionId, 'transaction_id', true),
    code: id(input.code, 'code', true),
    externalSubscriptionId: id(input.externalSubscriptionId, 'external_subscription_id', false),
    externalCustomerId: id(input.externalCustomerId, 'external_customer_id', false),
    timestamp: timestamp(input.timestamp, now),
    properties: properties(input.properties),
    preciseTotalAmountCents: amount(input.preciseTotalAmountCents),
  };
}
