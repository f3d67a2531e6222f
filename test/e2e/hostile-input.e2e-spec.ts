// Hostile input against every RPC (SPEC §2.2 rule 9): bytes that are not a protobuf message get
// INVALID_ARGUMENT, and a seeded fuzz run — random bytes, and random field values encoded by the
// generated ts-proto codecs — never gets INTERNAL or UNKNOWN, and leaves the server healthy.
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AggregationServiceService } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { IngestionServiceService } from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { MetricRegistryServiceService } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { bearer } from '../../libs/testing/src/clients';
import { api, at } from '../support/api';
import { HealthClient } from '../support/health';
import { startTestStack, type TestStack } from '../support/test-stack';

const CASES = 10_000;
const SEED = 20261130;
const CONCURRENCY = 48;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Method {
  service: 'registry' | 'ingestion' | 'aggregation';
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (value: never) => Buffer;
}

const SERVICES = {
  registry: MetricRegistryServiceService,
  ingestion: IngestionServiceService,
  aggregation: AggregationServiceService,
};
const METHODS: Method[] = Object.entries(SERVICES).flatMap(([service, definition]) =>
  Object.values(definition).map((m) => ({
    ...(m as unknown as Method),
    service: service as Method['service'],
  })),
);

const event = {
  transactionId: 'tx',
  externalSubscriptionId: 'sub',
  externalCustomerId: 'cus',
  code: 'gb',
  timestamp: at('2026-01-02Z'),
  properties: { gb: '1.5', region: 'eu' },
  preciseTotalAmountCents: '12',
};
const metric = {
  name: 'GB',
  code: 'gb',
  aggregationType: 'SUM_AGG',
  fieldName: 'gb',
  expression: 'event.properties.gb * 2',
  filters: [{ key: 'region', values: ['eu'] }],
  roundingFunction: 'ROUND',
  roundingPrecision: 2,
};
const window = { from: at('2026-01-01Z'), to: at('2026-02-01Z') };
/** A plausible request per method: the fuzzer mutates its fields. */
const TEMPLATES: Record<string, object> = {
  CreateBillableMetric: { metric },
  GetBillableMetric: { code: 'gb' },
  ListBillableMetrics: { pageSize: 10, pageToken: '' },
  UpdateBillableMetric: { code: 'gb', metric },
  DeleteBillableMetric: { code: 'nope' },
  EvaluateExpression: { expression: 'event.properties.gb + 1', event },
  UpsertSubscription: {
    subscription: { externalId: 'sub', externalCustomerId: 'cus', startedAt: at('2025-01-01Z') },
  },
  GetSubscription: { externalId: 'sub' },
  ListSubscriptions: { externalCustomerId: 'cus', pageSize: 5, pageToken: '' },
  BatchGetSubscriptions: { externalIds: ['sub', 'x'] },
  GetCallerOrganization: {},
  IngestEvent: { event },
  IngestEvents: { events: [event, { ...event, transactionId: 'tx2' }] },
  StreamEvents: { events: [event] },
  GetUsage: {
    externalSubscriptionId: 'sub',
    code: 'gb',
    ...window,
    groupedBy: ['region'],
    filter: { region: { values: ['eu'] } },
  },
  GetSubscriptionUsage: { externalSubscriptionId: 'sub', ...window },
};

function fuzzValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * 12);
  const strings = [
    '',
    'a',
    '💥',
    '-1',
    '1e400',
    'NaN',
    '0.00000000000000000000001',
    'x'.repeat(300),
    '\u0000',
    'event.properties.gb / 0',
    '((((',
    'SUM_AGG',
  ];
  switch (pick) {
    case 0:
      return strings[Math.floor(random() * strings.length)];
    case 1:
      return Math.floor((random() - 0.5) * 2 ** 33);
    case 2:
      return random() < 0.5 ? -1 : 2 ** 31 - 1;
    case 3:
      return random() < 0.5;
    case 4:
      return new Date((random() - 0.5) * 8.64e15);
    case 5:
      return depth < 2
        ? Array.from({ length: Math.floor(random() * 4) }, () => fuzzValue(random, depth + 1))
        : [];
    case 6:
      return depth < 2 ? { k: fuzzValue(random, depth + 1) } : {};
    case 7:
      return undefined;
    case 8:
      return String(Math.floor(random() * 1e6));
    case 9:
      return ['COUNT_AGG', 'WEIGHTED_SUM_AGG', 'LATEST_AGG', 'UNRECOGNIZED', 'AGGREGATION_TYPE_UNSPECIFIED'][
        Math.floor(random() * 5)
      ];
    case 10:
      return (random() * 1e20).toString(36);
    default:
      return new Date(Date.UTC(2026, 0, 1 + Math.floor(random() * 60)));
  }
}

/** The template with some leaves replaced by random values (of any type). */
function mutate(value: unknown, random: () => number, depth = 0): unknown {
  if (random() < 0.15) return fuzzValue(random, depth);
  if (Array.isArray(value)) return value.map((v) => mutate(v, random, depth + 1));
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mutate(v, random, depth + 1)]));
}

function randomBytes(random: () => number): Buffer {
  const length = Math.floor(random() ** 2 * 300);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** One case: the bytes of 1 (or, on a stream, up to 3) request messages for `method`. */
function fuzzCase(method: Method, random: () => number): Buffer[] {
  const count = method.requestStream ? 1 + Math.floor(random() * 3) : 1;
  return Array.from({ length: count }, () => {
    if (random() < 0.5) return randomBytes(random);
    const request = mutate(TEMPLATES[method.path.split('/')[2]], random);
    try {
      return method.requestSerialize(request as never);
    } catch {
      return randomBytes(random);
    }
  });
}

const identity = (b: Buffer) => b;

function call(client: Client, method: Method, messages: Buffer[], metadata: Metadata): Promise<status> {
  const deadline = Date.now() + 30_000;
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) => resolve(error ? error.code : status.OK);
    if (!method.requestStream) {
      client.makeUnaryRequest(method.path, identity, identity, messages[0], metadata, { deadline }, done);
      return;
    }
    const stream = client.makeBidiStreamRequest(method.path, identity, identity, metadata, { deadline });
    stream.on('data', () => {});
    stream.on('error', (error: ServiceError) => resolve(error.code));
    stream.on('status', (s: { code: status }) => s.code === status.OK && resolve(status.OK));
    for (const m of messages) stream.write(m);
    stream.end();
  });
}

describe('hostile input', () => {
  let t: TestStack;
  let apiKey: string;
  const clients: Record<string, Client> = {};
  beforeAll(async () => {
    t = await startTestStack({ registryCacheTtlMs: 1000 });
    ({ apiKey } = await t.newOrganization());
    const a = api(t, apiKey);
    await a.createMetric({ code: 'gb', aggregationType: AggregationType.SUM_AGG, fieldName: 'gb' });
    await a.upsertSubscription({
      externalId: 'sub',
      externalCustomerId: 'cus',
      startedAt: at('2025-01-01Z'),
    });
    for (const service of Object.keys(SERVICES)) {
      clients[service] = new Client(
        t.stack.addresses[service as Method['service']],
        credentials.createInsecure(),
      );
    }
  }, 60_000);
  afterAll(async () => {
    Object.values(clients).forEach((c) => c.close());
    await t?.stop();
  });

  it.each(METHODS.map((m) => [m.path, m] as const))(
    '%s: bytes that are not protobuf → INVALID_ARGUMENT',
    async (_path, method) => {
      // Field 15 (unknown to every request type), length-delimited, claiming 100 bytes that are not there.
      const code = await call(
        clients[method.service],
        method,
        [Buffer.from([0x7a, 0x64, 0x01])],
        bearer(apiKey),
      );
      expect(status[code]).toBe('INVALID_ARGUMENT');
    },
  );

  it('a string with a NUL character → INVALID_ARGUMENT, not INTERNAL', async () => {
    const method = METHODS.find((m) => m.path.endsWith('/BatchGetSubscriptions'))!;
    const bytes = method.requestSerialize({ externalIds: ['\u0000', 'x'] } as never);
    expect(status[await call(clients.registry, method, [bytes], bearer(apiKey))]).toBe('INVALID_ARGUMENT');
  });

  it(`${CASES} seeded fuzz cases against every RPC: no INTERNAL or UNKNOWN, healthy afterwards`, async () => {
    const random = prng(SEED);
    const plan = Array.from({ length: CASES }, (_, i) => {
      const method = METHODS[i % METHODS.length];
      const metadata = random() < 0.9 ? bearer(apiKey) : new Metadata();
      return { i, method, messages: fuzzCase(method, random), metadata };
    });
    const bad: string[] = [];
    const codes = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < plan.length) {
          const c = plan[next++];
          const code = await call(clients[c.method.service], c.method, c.messages, c.metadata);
          codes.set(status[code], (codes.get(status[code]) ?? 0) + 1);
          if (code === status.INTERNAL || code === status.UNKNOWN) {
            bad.push(
              `case ${c.i} ${c.method.path}: ${status[code]} ${c.messages.map((m) => m.toString('base64')).join(',')}`,
            );
          }
        }
      }),
    );
    expect(bad.slice(0, 10)).toEqual([]);
    expect(codes.get('INVALID_ARGUMENT')).toBeGreaterThan(0);
    expect(codes.get('OK')).toBeGreaterThan(0);
    for (const service of Object.keys(SERVICES)) {
      const health = new HealthClient(t.stack.addresses[service as Method['service']]);
      expect(await health.check()).toBe('SERVING');
      health.close();
    }
    expect(
      await api(t, apiKey).ingest({ ...event, transactionId: 'after-fuzz', preciseTotalAmountCents: '' }),
    ).toMatchObject({
      duplicate: false,
    });
  }, 120_000);
});
