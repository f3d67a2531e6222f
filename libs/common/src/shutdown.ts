import type { Logger } from '../../observability/src/logger';
import type { GrpcApp } from './grpc-app';

export interface ShutdownPlan {
  /** Front services first (ingestion, aggregation), the registry they call last. */
  apps: GrpcApp[][];
  /** How long in-flight calls may take to finish (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** Closed after every app stopped, in this order (registry client, ClickHouse, PostgreSQL, metrics). */
  closers: (() => Promise<unknown>)[];
}

/**
 * The orderly stop: every app reports NOT_SERVING at once; then each group of apps in turn stops
 * taking calls and lets those in flight finish until `graceMs` after the signal; calls still running
 * then are answered UNAVAILABLE (retryable, unlike CANCELLED); then the stores close. Resolves when
 * done; a failing step is logged and the next one still runs.
 */
export async function shutdown(plan: ShutdownPlan, logger: Logger, reason: string): Promise<void> {
  const deadline = Date.now() + plan.graceMs;
  logger.info({ reason, graceMs: plan.graceMs }, 'shutting down: NOT_SERVING, draining calls');
  for (const app of plan.apps.flat()) app.notServing();
  for (const group of plan.apps) {
    await Promise.all(
      group.map(async (app) => {
        try {
          const cut = await app.drain(deadline);
          if (cut > 0) logger.warn({ service: app.shortName, cut }, 'calls cut short with UNAVAILABLE');
          await app.close();
        } catch (error) {
          logger.error({ service: app.shortName, err: error }, 'shutdown step failed');
        }
      }),
    );
  }
  for (const close of plan.closers) {
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown step failed');
    }
  }
  logger.info('stopped');
}

/** On SIGINT/SIGTERM: `stop(signal)` (e.g. a stack's shutdown), then exit 0; a second signal exits at once, status 1. */
export function onShutdown(logger: Logger, stopAll: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    void stopAll(signal).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
