import { Logger } from '@nestjs/common';
import { NestPinoLogger } from '../../observability/src/logger';
import type { LogLevel } from '../../observability/src/logger';
import { startMetricsServer } from '../../observability/src/metrics-server';
import { processObservability, type Observability } from '../../observability/src/observability';
import type { GrpcApp } from './grpc-app';
import { installProcessGuards } from './process-guards';
import { onShutdown, shutdown } from './shutdown';
import { loadTls, type TlsConfig, type TlsEnv } from './tls';

/** What every service's process reads for operating it (operationsEnv in config.ts). */
export interface ProcessEnv extends TlsEnv {
  LOG_LEVEL: LogLevel;
  METRICS_HOST: string;
  METRICS_PORT: number;
  /** How long in-flight calls may finish at shutdown, ms. */
  SHUTDOWN_GRACE_MS: number;
}

/** A started service process: its TLS files (undefined: plaintext) and its logger and metrics. */
export interface ServiceProcess {
  tls: TlsConfig | undefined;
  observability: Observability;
}

/**
 * The first steps of every `main.ts`: TLS files read (throws naming the variable), pino as Nest's
 * logger, a fresh Prometheus registry, and the process guards (a stray rejection is logged and
 * counted in metering_unhandled_rejections_total, not the end of the process).
 */
export function startServiceProcess(env: ProcessEnv): ServiceProcess {
  const tls = loadTls(env);
  const observability = processObservability(env.LOG_LEVEL);
  Logger.overrideLogger(new NestPinoLogger(observability.logger));
  installProcessGuards({
    error: (line) => observability.logger.error(line),
    count: () => observability.metrics.unhandledRejection('rejection'),
  });
  return { tls, observability };
}

/**
 * The last steps of a service run alone: its /metrics endpoint, then, on SIGTERM or SIGINT, the
 * drain (shutdown.ts: NOT_SERVING, in-flight calls finish within SHUTDOWN_GRACE_MS, the rest get
 * UNAVAILABLE) and `closers` in order (stores, clients), the metrics server last.
 */
export async function serveUntilSignal(
  app: GrpcApp,
  process: ServiceProcess,
  env: ProcessEnv,
  closers: (() => Promise<unknown>)[],
): Promise<void> {
  const { logger, metrics } = process.observability;
  const metricsServer = await startMetricsServer(metrics, env.METRICS_HOST, env.METRICS_PORT);
  logger.info({ address: metricsServer.address }, 'metrics: GET /metrics');
  onShutdown(logger, (signal) =>
    shutdown(
      {
        apps: [[app]],
        graceMs: env.SHUTDOWN_GRACE_MS,
        closers: [...closers, () => metricsServer.close()],
      },
      logger,
      signal,
    ),
  );
}
