import type { INestMicroservice } from '@nestjs/common';
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
import { listenError } from '../../observability/src/listen-error';
import type { Observability } from '../../observability/src/observability';
import { RpcInterceptor, type Tally } from '../../observability/src/rpc.interceptor';
import { AuthGuard, callerOf, type OrganizationResolver } from './auth';
import { AuthInterceptor } from './auth.interceptor';
import { CallGuard, tolerantDecoders } from './call-guard';
import { GrpcExceptionFilter, grpcStatusOf } from './grpc-exception.filter';
import { StreamSafeServerGrpc } from './server-grpc';
import { serverCredentials, type TlsConfig } from './tls';

/** Where and how one gRPC server listens, and what it logs and counts to. */
export interface ServeOptions {
  /** Interface to bind, e.g. `127.0.0.1` (local only) or `0.0.0.0` (every interface). */
  host: string;
  port: number;
  observability: Observability;
  /** TLS certificate and key (and client CA for mutual TLS); unset: plaintext. */
  tls?: TlsConfig;
}

export interface GrpcAppOptions extends ServeOptions {
  /** The Nest module of the service. */
  module: unknown;
  /** Fully qualified gRPC service name, e.g. metering.v1.IngestionService. */
  serviceName: string;
  /** Short name for logs and metric labels, e.g. `ingestion`. */
  shortName: string;
  /** The env variable that sets `port`, named in the error when the port is taken. */
  portVariable: string;
  organizations: OrganizationResolver;
  /** Adds one response to the call's log line (e.g. ingestion's accepted/duplicate/rejected counts). */
  tally?: (totals: Tally, response: unknown, error?: unknown) => void;
}

/** A running gRPC app and its shutdown steps, in the order shutdown.ts runs them. */
export interface GrpcApp {
  readonly app: INestMicroservice;
  /** `host:port` it listens on. */
  readonly address: string;
  readonly shortName: string;
  /** Health reports NOT_SERVING (for the service and overall); calls are still taken. */
  notServing(): void;
  /**
   * Stops taking calls and waits for those in flight until `deadline` (epoch ms); any still running
   * then are answered UNAVAILABLE. Resolves with the number cut short.
   */
  drain(deadline: number): Promise<number>;
  close(): Promise<void>;
}

/** The largest request or response message, in bytes (64 MiB): larger ones get RESOURCE_EXHAUSTED. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());

/**
 * Boots one gRPC app: the service itself, behind the RPC interceptor (one log line and the metrics
 * of every call), authentication and the error filter, plus grpc.health.v1 and server reflection
 * (public, so grpcurl and load balancers work without a key). Undecodable requests get
 * INVALID_ARGUMENT (call-guard.ts). Throws a one-line error when the port is taken.
 */
export async function startGrpcApp(options: GrpcAppOptions): Promise<GrpcApp> {
  const packageDefinition = tolerantDecoders(loadPackageDefinition());
  const health = new HealthImplementation({ '': 'NOT_SERVING', [options.serviceName]: 'NOT_SERVING' });
  const guard = new CallGuard();
  let server: Server | undefined;
  const strategy = new StreamSafeServerGrpc({
    package: PROTO_PACKAGE,
    packageDefinition,
    loader: LOADER_OPTIONS,
    url: `${options.host}:${options.port}`,
    credentials: serverCredentials(options.tls),
    maxReceiveMessageLength: MAX_MESSAGE_BYTES,
    maxSendMessageLength: MAX_MESSAGE_BYTES,
    channelOptions: { interceptors: [guard.interceptor] } as never,
    onLoadPackageDefinition: (_pkg: unknown, grpcServer: Server) => {
      server = grpcServer;
      health.addToServer(grpcServer);
      const files = { all: { fileDescriptorProtos: fileDescriptorProtos() } } as never;
      new ReflectionService(files, { services: [options.serviceName, HEALTH_SERVICE_NAME] }).addToServer(
        grpcServer,
      );
    },
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(options.module as never, {
    strategy,
  });
  const { logger, metrics } = options.observability;
  app.useGlobalFilters(new GrpcExceptionFilter());
  app.useGlobalInterceptors(
    new RpcInterceptor({
      service: options.shortName,
      logger,
      metrics,
      statusOf: grpcStatusOf,
      organizationOf: (metadata) => {
        try {
          return callerOf(metadata).id;
        } catch {
          return undefined;
        }
      },
      tally: options.tally,
    }),
    new AuthInterceptor(new AuthGuard(options.organizations)),
  );
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenError(error, options.shortName, options.host, options.port, options.portVariable);
  }
  health.setStatus('', 'SERVING');
  health.setStatus(options.serviceName, 'SERVING');
  const address = `${options.host}:${options.port}`;
  logger.info({ service: options.shortName, address, tls: Boolean(options.tls) }, 'listening');
  const notServing = () => {
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(options.serviceName, 'NOT_SERVING');
  };
  return {
    app,
    address,
    shortName: options.shortName,
    notServing,
    drain: async (deadline) => {
      notServing();
      if (!server) return 0;
      const grpcServer = server;
      const stopped = new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      const finished = await Promise.race([
        stopped.then(() => true),
        sleep(deadline - Date.now()).then(() => false),
      ]);
      if (finished) return 0;
      const cut = guard.cutAll('server shutting down: call cut short, retry on another instance');
      await Promise.race([stopped, sleep(1000)]);
      return cut;
    },
    close: () => app.close(),
  };
}
