import { status } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { EventResult_Status } from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { EvaluateExpressionRequest } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

/** The validation rules added to SPEC §2.1–§2.3 and §4.3 on 2026-11-30, through the real API. */
describe('validation that helps', () => {
  let t: TestStack;
  let key: string;
  beforeAll(async () => {
    t = await startTestStack();
    key = (await t.newOrganization()).apiKey;
  }, 60_000);
  afterAll(() => t?.stop());

  const evaluate = (expression: string) =>
    unary(
      t.clients.registry,
      'evaluateExpression',
      EvaluateExpressionRequest.fromPartial({ expression, event: { code: 'c', timestamp: new Date(0) } }),
      key,
    );

  it('refuses a metric whose expression has a wrong number of arguments, naming function and position', async () => {
    await expectError(
      api(t, key).createMetric({
        code: 'three_args',
        aggregationType: AggregationType.SUM_AGG,
        fieldName: 'v',
        expression: 'round(1, 2, 3)',
      }),
      status.INVALID_ARGUMENT,
      'metric.expression: wrong_number_of_arguments: round takes 1 or 2 arguments, got 3 at position 1',
    );
    // Found at parse time, so before an evaluation error further left.
    await expectError(
      evaluate('1 / 0 + ceil(1, 2, 3)'),
      status.INVALID_ARGUMENT,
      /^wrong_number_of_arguments: ceil takes 1 or 2 arguments, got 3 at position 9$/,
    );
  });

  it('reports every invalid field of a metric in one error, one line per field', async () => {
    await expectError(
      api(t, key).createMetric({
        name: '',
        code: 'bad code',
        aggregationType: AggregationType.SUM_AGG,
        expression: 'concat()',
        filters: [{ key: '', values: [] }],
      }),
      status.INVALID_ARGUMENT,
      [
        'metric.code: must match ^[A-Za-z0-9_.:-]{1,255}$',
        'metric.field_name: required for SUM_AGG',
        'metric.expression: parse_error: concat() needs at least one argument at position 1',
        'metric.filters[0].key: required',
        'metric.filters[0].values: at least one value is required',
      ].join('\n'),
    );
  });

  it('truncates a fractional rounding precision toward zero; concat() and an empty expression are parse errors', async () => {
    expect((await evaluate('round(1.55, 1.9)')).value).toBe('1.6');
    expect((await evaluate('floor(-1255, -1.9)')).value).toBe('-1260');
    await expectError(
      evaluate('concat()'),
      status.INVALID_ARGUMENT,
      /^parse_error: concat\(\) needs at least one argument at position 1$/,
    );
    await expectError(
      evaluate(''),
      status.INVALID_ARGUMENT,
      /^parse_error: unexpected end of expression at position 1$/,
    );
  });

  it('answers GetUsage invalid in itself with INVALID_ARGUMENT before looking the metric up', async () => {
    const a = api(t, key);
    const request = { externalSubscriptionId: 's', code: 'no_such_metric', from: JAN.from, to: JAN.from };
    await expectError(a.usage(request), status.INVALID_ARGUMENT, /^from: must be before to/);
    await expectError(
      a.usage({ ...request, to: JAN.to, groupedBy: [''] }),
      status.INVALID_ARGUMENT,
      /^grouped_by\[0\]: /,
    );
    await expectError(a.usage({ ...request, to: JAN.to }), status.NOT_FOUND, /no_such_metric/);
  });

  it('rejects properties.operation_type other than "add" or "remove", naming the field', async () => {
    const a = api(t, key);
    const event = (transactionId: string, operationType: unknown) => ({
      transactionId,
      externalSubscriptionId: 's',
      code: 'seats',
      timestamp: at('2026-01-02Z'),
      properties: { user: 'u1', operation_type: operationType },
    });
    await expectError(
      a.ingest(event('typo', 'remvoe')),
      status.INVALID_ARGUMENT,
      'event.properties.operation_type: must be "add" or "remove"',
    );
    const { results } = await a.ingestBatch([
      event('b1', 'add'),
      event('b2', 'ADD'),
      event('b3', null),
      event('b4', 7),
      event('b5', 'remove'),
    ]);
    expect(results.map((r) => [r.status, r.error])).toEqual([
      [EventResult_Status.ACCEPTED, ''],
      [EventResult_Status.REJECTED, 'event.properties.operation_type: must be "add" or "remove"'],
      [EventResult_Status.ACCEPTED, ''],
      [EventResult_Status.REJECTED, 'event.properties.operation_type: must be "add" or "remove"'],
      [EventResult_Status.ACCEPTED, ''],
    ]);
  });
});
