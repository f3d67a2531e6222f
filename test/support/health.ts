import { credentials, loadPackageDefinition, type ChannelCredentials, type Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { repoPath } from '../../libs/common/src/repo-path';

type HealthStub = Client & {
  check(
    request: { service: string },
    callback: (error: Error | null, response?: { status: string }) => void,
  ): void;
  watch(request: { service: string }): NodeJS.EventEmitter & { cancel(): void };
};

/** A grpc.health.v1 client, for tests: Check once, or every status a Watch stream reports. */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(address: string, channel: ChannelCredentials = credentials.createInsecure()) {
    const definition = loadSync(repoPath('proto/grpc/health/v1/health.proto'), { enums: String });
    const grpc = loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: new (address: string, channel: ChannelCredentials) => HealthStub } } };
    };
    this.stub = new grpc.grpc.health.v1.Health(address, channel);
  }

  check(service = ''): Promise<string> {
    return new Promise((resolve, reject) =>
      this.stub.check({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))),
    );
  }

  /** Resolves, once the stream ends (or fails), with the statuses it reported in order. */
  watch(service = ''): Promise<string[]> {
    const seen: string[] = [];
    const stream = this.stub.watch({ service });
    return new Promise((resolve) => {
      stream.on('data', (message: { status: string }) => seen.push(message.status));
      stream.on('error', () => resolve(seen));
      stream.on('end', () => resolve(seen));
    });
  }

  close(): void {
    this.stub.close();
  }
}
