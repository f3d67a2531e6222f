import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenError } from './listen-error';
import type { Metrics } from './metrics';

export interface MetricsServer {
  /** `host:port` actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Prometheus's scrape endpoint: `GET /metrics` answers the text exposition format; anything else 404.
 * Port 0 picks a free port. Throws a one-line error when the port is taken (listen-error.ts).
 */
export async function startMetricsServer(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, 'metrics', host, port, 'METRICS_PORT')));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
