import { api } from '../support/api';
import {
  comparable,
  loadCases,
  toEventInput,
  toMetricInput,
  toUsageRequest,
  type UsageCase,
} from '../support/conformance';
import { checkEvaluate, checkIngestion, type ExpressionCase } from '../support/expression-conformance';
import { startTestStack, type TestStack } from '../support/test-stack';

/** test/conformance (README there): every case through the real gRPC API. */
const usageCases = loadCases<UsageCase>('usage-cases.json');
const expressionCases = loadCases<ExpressionCase>('expression-cases.json');

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
}, 60_000);
afterAll(() => t?.stop());

/** SPEC §3; a fresh organization per case, because cases share codes and ids. */
describe('usage-cases.json', () => {
  it('has cases', () => expect(usageCases.length).toBeGreaterThan(0));

  it.each(usageCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const { apiKey } = await t.newOrganization(c.id);
    const call = api(t, apiKey);
    await call.createMetric(toMetricInput(c.metric));
    // One by one, in order: ingestion order decides duplicates (first wins) and ties (last wins).
    for (const event of c.events) {
      const result = await call.ingest(toEventInput(event));
      expect(result.event?.transactionId).toBe(event.transaction_id);
    }
    const usage = await call.usage(toUsageRequest(c.metric.code, c.query));
    const { actual, expected } = comparable(usage, c.expect);
    expect(actual).toEqual(expected);
  });
});

/** SPEC §4.3 (libs/expression/src/conformance.spec.ts covers the evaluator itself). */
describe('expression-cases.json', () => {
  const cases = expressionCases.map((c) => [c.id, c.expression, c] as const);
  it('has cases', () => expect(expressionCases.length).toBeGreaterThan(0));

  describe('through EvaluateExpression', () => {
    let apiKey: string;
    beforeAll(async () => {
      ({ apiKey } = await t.newOrganization('expressions'));
    });
    it.each(cases)('%s: %s', (_id, _expression, c) => checkEvaluate(t, apiKey, c));
  });

  describe("as a metric's expression, through ingestion and usage", () => {
    it.each(cases)('%s: %s', async (_id, _expression, c) => {
      const { apiKey } = await t.newOrganization(c.id);
      await checkIngestion(t, apiKey, c);
    });
  });
});
