/**
 * The idempotency key of SPEC §2.2 rule 3 as the `event_keys` table stores it
 * (libs/clickhouse/migrations/0002_create_event_keys.sql): the organization's UUID, the byte length
 * of the subscription id, the subscription id, the transaction id. Unambiguous for any ids.
 */
export function eventKeyText(
  organizationId: string,
  externalSubscriptionId: string,
  transactionId: string,
): string {
  return `${organizationId}:${Buffer.byteLength(externalSubscriptionId)}:${externalSubscriptionId}${transactionId}`;
}
