import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

const HealthClient = makeGenericClientConstructor(healthService as never, 'grpc.health.v1.Health');
type Check = (
  request: { service: string },
  options: { deadline: number },
  callback: (error: ServiceError | null, response: { status: string }) => void,
) => void;

/** grpc.health.v1 Check of the whole server (service ''): true when it answers SERVING. */
export function isServing(address: string): Promise<boolean> {
  const client = new HealthClient(address, credentials.createInsecure()) as unknown as Client & {
    Check: Check;
  };
  return new Promise<boolean>((resolve) => {
    client.Check({ service: '' }, { deadline: Date.now() + 1_000 }, (error, response) => {
      client.close();
      resolve(!error && response.status === 'SERVING');
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
