// TLS on every gRPC server and on the inter-service client, with certificates made here by the
// openssl CLI: a CA, a server certificate for 127.0.0.1, and a client certificate (mutual TLS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials, status } from '@grpc/grpc-js';
import { loadTls } from '../../libs/common/src/tls';
import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  CreateBillableMetricRequest,
  MetricRegistryServiceClient,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import {
  IngestEventRequest,
  IngestionServiceClient,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { unary } from '../../libs/testing/src/clients';
import { api, at, grpcError } from '../support/api';
import { startTestStack, type TestStack } from '../support/test-stack';

function makeCertificates(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=metering test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  const leaf = (name: string, ext: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    writeFileSync(file(`${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

describe('TLS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'metering-tls-'));
  const files = makeCertificates(dir);
  const read = (f: string) => readFileSync(f);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('mutual TLS', () => {
    let t: TestStack;
    beforeAll(async () => {
      const tls = loadTls({
        TLS_CERT_FILE: files.serverCert,
        TLS_KEY_FILE: files.serverKey,
        TLS_CLIENT_CA_FILE: files.ca,
        TLS_CA_FILE: files.ca,
      });
      t = await startTestStack({ tls });
    }, 60_000);
    afterAll(() => t?.stop());

    const secure = () => credentials.createSsl(read(files.ca), read(files.clientKey), read(files.clientCert));

    it('serves a client with a certificate, and ingestion reaches the registry over TLS', async () => {
      const { apiKey } = await t.newOrganization();
      const registry = new MetricRegistryServiceClient(t.stack.addresses.registry, secure());
      const ingestion = new IngestionServiceClient(t.stack.addresses.ingestion, secure());
      await unary(
        registry,
        'createBillableMetric',
        CreateBillableMetricRequest.fromPartial({
          metric: { name: 'n', code: 'n', aggregationType: AggregationType.COUNT_AGG },
        }),
        apiKey,
      );
      const response = await unary(
        ingestion,
        'ingestEvent',
        IngestEventRequest.fromPartial({
          event: {
            transactionId: 't',
            externalSubscriptionId: 's',
            code: 'n',
            timestamp: at('2026-01-01Z'),
          },
        }),
        apiKey,
      );
      expect(response.duplicate).toBe(false);
      registry.close();
      ingestion.close();
    });

    it('refuses plaintext and clients without a certificate', async () => {
      const { apiKey } = await t.newOrganization();
      for (const channel of [credentials.createInsecure(), credentials.createSsl(read(files.ca))]) {
        const registry = new MetricRegistryServiceClient(t.stack.addresses.registry, channel);
        const error = await grpcError(unary(registry, 'getCallerOrganization', {}, apiKey));
        expect(status[error.code]).toBe('UNAVAILABLE');
        registry.close();
      }
    });

    it('the test clients without TLS cannot call either', async () => {
      const { apiKey } = await t.newOrganization();
      const error = await grpcError(api(t, apiKey).usage({ externalSubscriptionId: 's', code: 'n' }));
      expect(status[error.code]).toBe('UNAVAILABLE');
    });
  });

  it('rejects half a configuration', () => {
    expect(() => loadTls({ TLS_CERT_FILE: files.serverCert })).toThrow(
      'TLS_CERT_FILE and TLS_KEY_FILE: set both, or neither',
    );
    expect(() =>
      loadTls({ TLS_CERT_FILE: files.serverCert, TLS_KEY_FILE: path.join(dir, 'missing') }),
    ).toThrow(/TLS_KEY_FILE: cannot read/);
  });
});
