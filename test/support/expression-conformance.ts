import { status } from '@grpc/grpc-js';
import { isStorableDecimal } from '../../libs/clickhouse/src/decimals';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { EvaluateExpressionRequest } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { unary } from '../../libs/testing/src/clients';
import { api, expectError } from './api';
import { decimal } from './conformance';
import type { TestStack } from './test-stack';

/** A case of test/conformance/expression-cases.json. */
export interface ExpressionCase {
  id: string;
  expression: string;
  event: { code: string; timestamp: number; properties: Record<string, unknown> };
  expect: { value: string } | { error: string };
}

const PLAIN = /^-?\d+(\.\d+)?$/;

/** Numbers compare as decimals (`3.0` equals `3`), anything else as text. */
export function expectSameValue(actual: unknown, expected: string): void {
  const text = String(actual);
  if (PLAIN.test(text) && PLAIN.test(expected)) expect(decimal(text)).toBe(decimal(expected));
  else expect(text).toBe(expected);
}

/** EvaluateExpression: the value, or INVALID_ARGUMENT whose message starts with the error kind. */
export async function checkEvaluate(t: TestStack, apiKey: string, c: ExpressionCase): Promise<void> {
  const request = EvaluateExpressionRequest.fromPartial({
    expression: c.expression,
    event: {
      code: c.event.code,
      timestamp: new Date(c.event.timestamp * 1000),
      properties: c.event.properties,
    },
  });
  const call = unary(t.clients.registry, 'evaluateExpression', request, apiKey);
  if ('error' in c.expect)
    return expectError(call, status.INVALID_ARGUMENT, new RegExp(`^${c.expect.error}: `));
  expectSameValue((await call).value, c.expect.value);
}

const FIELD = 'expression_result';

/**
 * The same case as a metric's expression (SPEC §2.2 rule 6): a parse error or a wrong number of
 * arguments refuses the metric; an
 * evaluation error rejects the event with `expression_evaluation_failed: <kind>`; a value is
 * written into properties[field_name], and a storable decimal is what the metric then sums.
 */
export async function checkIngestion(t: TestStack, apiKey: string, c: ExpressionCase): Promise<void> {
  const call = api(t, apiKey);
  const code = c.event.code || 'expression_metric';
  const metric = call.createMetric({
    code,
    aggregationType: AggregationType.SUM_AGG,
    fieldName: FIELD,
    expression: c.expression,
  });
  // Found when the expression is parsed (SPEC §2.1, 2026-11-30): the metric is refused.
  const refused = ['parse_error', 'wrong_number_of_arguments'];
  if ('error' in c.expect && refused.includes(c.expect.error)) {
    return expectError(
      metric,
      status.INVALID_ARGUMENT,
      new RegExp(`^metric\\.expression: ${c.expect.error}: `),
    );
  }
  await metric;
  const timestamp = new Date(c.event.timestamp * 1000);
  const event = {
    transactionId: c.id,
    externalSubscriptionId: 's',
    code,
    timestamp,
    properties: c.event.properties,
  };
  if ('error' in c.expect) {
    const kind = new RegExp(`^expression_evaluation_failed: ${c.expect.error}: `);
    return expectError(call.ingest(event), status.INVALID_ARGUMENT, kind);
  }
  const stored = await call.ingest(event);
  const written: unknown = stored.event?.properties?.[FIELD];
  expectSameValue(written, c.expect.value);
  const window = { from: timestamp, to: new Date(timestamp.getTime() + 1000) };
  const usage = await call.usage({ externalSubscriptionId: 's', code, ...window });
  const summed = isStorableDecimal(String(written));
  expectSameValue(usage.value, summed ? c.expect.value : '0');
}
