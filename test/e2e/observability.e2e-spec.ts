// Logs and metrics as an operator sees them: one JSON line per RPC from the interceptor, and the
// Prometheus text on /metrics, after real calls through gRPC.
import { Writable } from 'node:stream';
import { status } from '@grpc/grpc-js';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { createLogger } from '../../libs/observability/src/logger';
import { Metrics } from '../../libs/observability/src/metrics';
import { api, at, expectError, JAN } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';
import { bearer } from '../../libs/testing/src/clients';
import { IngestEventsRequest } from '../../libs/contract/src/generated/client/metering/v1/ingestion';

describe('logs and metrics', () => {
  let t: TestStack;
  let apiKey: string;
  let organizationId: string;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  beforeAll(async () => {
    t = await startTestStack({
      observability: { logger: createLogger({ level: 'info', destination: sink }), metrics: new Metrics() },
      metrics: true,
      registryCacheTtlMs: 60_000,
    });
    ({ apiKey, id: organizationId } = await t.newOrganization());
    const a = api(t, apiKey);
    await a.createMetric({ code: 'gb', aggregationType: AggregationType.SUM_AGG, fieldName: 'gb' });
    await a.upsertSubscription({
      externalId: 'sub_1',
      externalCustomerId: 'c1',
      startedAt: at('2025-12-01Z'),
    });
    const event = { externalSubscriptionId: 'sub_1', code: 'gb', timestamp: at('2026-01-10Z') };
    await a.ingestBatch([
      { ...event, transactionId: 't1', properties: { gb: 1 } },
      { ...event, transactionId: 't1', properties: { gb: 2 } },
      { ...event, transactionId: 't2', properties: { gb: 'x' } },
      { ...event, transactionId: '', properties: {} },
    ]);
    await a.ingest({ ...event, transactionId: 't3', properties: { gb: 3 } });
    await new Promise<void>((resolve, reject) => {
      const call = t.clients.ingestion.streamEvents(bearer(apiKey));
      call.on('data', () => {});
      call.on('error', reject);
      call.on('end', () => resolve());
      call.write(
        IngestEventsRequest.fromPartial({
          events: [{ ...event, transactionId: 's1', properties: { gb: 4 } }],
        }),
      );
      call.end();
    });
    await a.usage({ externalSubscriptionId: 'sub_1', code: 'gb', ...JAN });
    await expectError(
      api(t, 'mk_not_a_key').usage({ externalSubscriptionId: 'sub_1', code: 'gb', ...JAN }),
      status.UNAUTHENTICATED,
    );
  }, 60_000);
  afterAll(() => t?.stop());

  const rpcLines = () =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'rpc');

  it('writes JSON lines without colour codes and never the API key', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(String.fromCharCode(27));
      expect(line).not.toContain(apiKey);
    }
  });

  it('logs one line per RPC with service, method, organization, code and duration', () => {
    const batch = rpcLines().find((l) => l.method === 'IngestEvents');
    expect(batch).toMatchObject({
      level: 'info',
      service: 'ingestion',
      organizationId,
      code: 'OK',
      accepted: 2,
      duplicate: 1,
      rejected: 1,
    });
    expect(typeof batch!.durationMs).toBe('number');
    expect(rpcLines().find((l) => l.method === 'IngestEvent')).toMatchObject({
      accepted: 1,
      duplicate: 0,
      rejected: 0,
    });
    // A streaming handler is a wrapper without a name: the method comes from its gRPC pattern.
    expect(rpcLines().find((l) => l.method === 'StreamEvents')).toMatchObject({ code: 'OK', accepted: 1 });
    expect(rpcLines().filter((l) => l.method === '')).toEqual([]);
    expect(rpcLines().filter((l) => l.method === 'CreateBillableMetric')).toEqual([
      expect.objectContaining({ service: 'registry', organizationId, code: 'OK' }),
    ]);
  });

  it('logs refused calls too, without an organization', () => {
    const refused = rpcLines().filter((l) => l.code === 'UNAUTHENTICATED' && l.service === 'aggregation');
    expect(refused).toHaveLength(1);
    expect(refused[0].organizationId).toBeUndefined();
    expect(refused[0].method).toBe('GetUsage');
  });

  it('serves Prometheus text on /metrics', async () => {
    const response = await fetch(`http://${t.stack.metricsAddress}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const has = (pattern: RegExp) => expect(text).toMatch(pattern);
    has(/^metering_rpc_requests_total\{service="ingestion",method="IngestEvents",code="OK"\} 1$/m);
    has(/^metering_rpc_requests_total\{service="aggregation",method="GetUsage",code="UNAUTHENTICATED"\} 1$/m);
    has(
      /^metering_rpc_duration_seconds_bucket\{le="0\.1",service="registry",method="CreateBillableMetric",code="OK"\} \d/m,
    );
    has(/^metering_events_total\{outcome="ACCEPTED"\} 4$/m); // t1, t2, t3 and the streamed s1
    has(/^metering_events_total\{outcome="DUPLICATE"\} 1$/m);
    has(/^metering_events_total\{outcome="REJECTED"\} 1$/m);
    has(/^metering_event_warnings_total\{warning="invalid_aggregation_property"\} 1$/m);
    has(/^metering_store_call_duration_seconds_count\{store="clickhouse",operation="insert"\} [1-9]/m);
    has(/^metering_store_call_duration_seconds_count\{store="postgres",operation="query"\} [1-9]/m);
    has(/^metering_group_commit_items_count\{batcher="event_append"\} [1-9]/m);
    has(/^metering_group_commit_wait_seconds_count\{batcher="event_lookup"\} [1-9]/m);
    has(/^metering_registry_cache_lookups_total\{cache="metrics",result="hit"\} [1-9]/m);
    has(/^metering_registry_cache_lookups_total\{cache="metrics",result="miss"\} [1-9]/m);
    has(/^metering_usage_query_duration_seconds_count\{aggregation_type="SUM_AGG"\} 1$/m);
    has(/^metering_process_cpu_seconds_total /m);
    has(/^metering_nodejs_eventloop_lag_seconds /m);
    has(/^# TYPE metering_unhandled_rejections_total counter$/m);
  });

  it('answers 404 off /metrics', async () => {
    expect((await fetch(`http://${t.stack.metricsAddress}/other`)).status).toBe(404);
  });
});
