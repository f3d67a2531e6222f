import { createLogger, type Logger, type LogLevel } from './logger';
import { Metrics } from './metrics';

/** The logger and metrics of one process, created at boot and handed to each app and store. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** Silent logger, fresh metrics without process metrics: for tests that do not look at either. */
export function quietObservability(): Observability {
  return { logger: createLogger({ level: 'silent' }), metrics: new Metrics({ defaultMetrics: false }) };
}

/** What main() builds from LOG_LEVEL: a logger on stdout and metrics with the process metrics. */
export function processObservability(level: LogLevel): Observability {
  return { logger: createLogger({ level }), metrics: new Metrics() };
}
