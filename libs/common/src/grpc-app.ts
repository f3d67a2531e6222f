import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import {
  fileDescriptorProtos,
  HEALTH_SERVICE_NAME,
  LOADER_OPTIONS,
  PROTO_PACKAGE,
  loadPackageDefinition,
} from '../../contract/src/grpc-options';
import { AuthGuard, type OrganizationResolver } from './auth';
import { GrpcExceptionFilter } from './grpc-exception.filter';
import { StreamSafeServerGrpc } from './server-grpc';

export interface GrpcAppOptions {
  /** The Nest module of the service. */
  module: unknown;
  /** Fully qualified gRPC service name, e.g. metering.v1.IngestionService. */
  serviceName: string;
  host: string;
  port: number;
  organizations: OrganizationResolver;
}

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * Boots one gRPC app: the service itself, behind the auth guard and the error filter, plus
 * grpc.health.v1 and server reflection (public, so grpcurl and load balancers work without a key).
 */
export async function startGrpcApp(options: GrpcAppOptions): Promise<INestMicroservice> {
  const packageDefinition = loadPackageDefinition();
  const health = new HealthImplementation({ '': 'NOT_SERVING', [options.serviceName]: 'NOT_SERVING' });
  const strategy = new StreamSafeServerGrpc({
    package: PROTO_PACKAGE,
    packageDefinition,
    loader: LOADER_OPTIONS,
    url: `${options.host}:${options.port}`,
    maxReceiveMessageLength: MAX_MESSAGE_BYTES,
    maxSendMessageLength: MAX_MESSAGE_BYTES,
    onLoadPackageDefinition: (_pkg: unknown, server: Server) => {
      health.addToServer(server);
      const files = { all: { fileDescriptorProtos: fileDescriptorProtos() } } as never;
      new ReflectionService(files, { services: [options.serviceName, HEALTH_SERVICE_NAME] }).addToServer(
        server,
      );
    },
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(options.module as never, {
    strategy,
  });
  app.useGlobalFilters(new GrpcExceptionFilter());
  app.useGlobalGuards(new AuthGuard(options.organizations));
  app.enableShutdownHooks();
  await app.listen();
  health.setStatus('', 'SERVING');
  health.setStatus(options.serviceName, 'SERVING');
  new Logger('Bootstrap').log(`${options.serviceName} listening on ${options.host}:${options.port}`);
  return app;
}
