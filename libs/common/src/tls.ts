import { readFileSync } from 'node:fs';
import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import { z } from 'zod';

/**
 * TLS for every gRPC server and the inter-service clients. Unset: plaintext (a local stack).
 * - TLS_CERT_FILE, TLS_KEY_FILE (PEM): the servers' certificate chain and key; with mutual TLS the
 *   inter-service clients present the same pair.
 * - TLS_CLIENT_CA_FILE: require client certificates signed by this CA (mutual TLS).
 * - TLS_CA_FILE: the CA the inter-service clients trust for the registry's certificate (default:
 *   the system's roots).
 */
export const tlsEnv = {
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  TLS_CA_FILE: z.string().min(1).optional(),
};

/** The PEM contents, read once at boot. */
export interface TlsConfig {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
  ca?: Buffer;
}

export type TlsEnv = { [K in keyof typeof tlsEnv]?: string };

/**
 * Reads the files named by the environment; undefined when TLS_CERT_FILE and TLS_KEY_FILE are unset.
 * Throws (one line per problem) when only one of them is set or a file cannot be read.
 */
export function loadTls(env: TlsEnv): TlsConfig | undefined {
  if (!env.TLS_CERT_FILE && !env.TLS_KEY_FILE) {
    if (env.TLS_CLIENT_CA_FILE) throw new Error('TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE');
    return undefined;
  }
  if (!env.TLS_CERT_FILE || !env.TLS_KEY_FILE) {
    throw new Error('TLS_CERT_FILE and TLS_KEY_FILE: set both, or neither');
  }
  const read = (key: keyof TlsEnv) => {
    const file = env[key];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`${key}: cannot read ${file} (${(error as Error).message})`);
    }
  };
  return {
    cert: read('TLS_CERT_FILE')!,
    key: read('TLS_KEY_FILE')!,
    clientCa: read('TLS_CLIENT_CA_FILE'),
    ca: read('TLS_CA_FILE'),
  };
}

/** A server's credentials: insecure without TLS; with TLS_CLIENT_CA_FILE, client certificates are required. */
export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ private_key: tls.key, cert_chain: tls.cert }],
    tls.clientCa !== undefined,
  );
}

/** An inter-service client's credentials: trusts TLS_CA_FILE (or the system roots); presents the pair for mutual TLS. */
export function clientCredentials(tls: TlsConfig | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return tls.clientCa
    ? credentials.createSsl(tls.ca ?? null, tls.key, tls.cert)
    : credentials.createSsl(tls.ca ?? null);
}
