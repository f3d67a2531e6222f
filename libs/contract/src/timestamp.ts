import { wrappers } from 'protobufjs';

/** The largest valid `google.protobuf.Timestamp.nanos` (the proto's own contract: 0…999,999,999). */
export const MAX_NANOS = 999_999_999;

/**
 * A `google.protobuf.Timestamp` that the wire carried but that is not a valid instant: its `nanos`
 * is outside 0…999,999,999 (SPEC §2.2 rule 9). It decodes to this Date, whose time is NaN, so that
 * the field's validator can reject it naming the field and the reason — for one event of a batch,
 * or the whole call — instead of the decoder shifting it silently into another instant.
 */
export class InvalidTimestamp extends Date {
  constructor(readonly reason: string) {
    super(Number.NaN);
  }
}

interface TimestampMessage {
  seconds: number | { toNumber(): number } | string;
  nanos: number;
}

/**
 * Timestamp → Date as protobufjs decodes requests (NestJS uses proto-loader, which goes through
 * these wrappers). ts-proto's generated wrapper adds `nanos / 1e6` milliseconds whatever their
 * value, so `{seconds: 0, nanos: 2_000_000_000}` became 1970-01-01T00:00:02Z; this one returns an
 * InvalidTimestamp for such a value. Millisecond precision, like the generated one (SPEC §4.2).
 */
export function timestampToDate(message: TimestampMessage): Date {
  const nanos = message.nanos ?? 0;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > MAX_NANOS) {
    return new InvalidTimestamp(`nanos must be within 0…${MAX_NANOS}, got ${nanos}`);
  }
  const seconds =
    typeof message.seconds === 'object' && message.seconds !== null
      ? message.seconds.toNumber()
      : Number(message.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor(nanos / 1e6));
}

/**
 * Replaces the decoding half of the Timestamp wrapper the generated modules registered (they must
 * be imported first; grpc-options.ts does both). Encoding stays ts-proto's.
 */
export function installStrictTimestamps(): void {
  const registered = wrappers['.google.protobuf.Timestamp'] as unknown as {
    fromObject: unknown;
    toObject: unknown;
  };
  wrappers['.google.protobuf.Timestamp'] = { ...registered, toObject: timestampToDate } as never;
}

/**
 * The field's error reason when a decoded Timestamp is not a valid instant, else null. Validators
 * call it before any range check so the reason names what is wrong.
 */
export function invalidTimestampReason(value: Date | null | undefined): string | null {
  if (value instanceof InvalidTimestamp) return value.reason;
  if (value != null && Number.isNaN(value.getTime())) return 'not a valid instant';
  return null;
}
