import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { status, type Metadata } from '@grpc/grpc-js';
import { finalize, tap, type Observable } from 'rxjs';
import type { Logger } from './logger';
import type { RpcMetrics } from './metrics';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';

/** Counts a service adds to its RPC lines (ingestion: accepted / duplicate / rejected events). */
export type Tally = Record<string, number>;

export interface RpcInterceptorOptions {
  /** Short service name for the `service` label, e.g. `ingestion`. */
  service: string;
  logger: Logger;
  metrics: RpcMetrics;
  /** The gRPC status a thrown error is answered with (the exception filter's own mapping). */
  statusOf: (error: unknown) => status;
  /** The caller's organization id once authenticated, or undefined. */
  organizationOf: (metadata: Metadata | undefined) => string | undefined;
  /** Adds one response (or the error a call ended with) to the call's tally. */
  tally?: (totals: Tally, response: unknown, error?: unknown) => void;
}

/** Codes that mean the server failed, not the caller: logged at `error` with the cause. */
const SERVER_FAULTS = new Set([status.INTERNAL, status.UNKNOWN, status.DATA_LOSS, status.UNAVAILABLE]);

/**
 * The method's name in the proto: the `rpc` of the handler's gRPC pattern, else its function name
 * capitalised (`ingestEvent` → `IngestEvent`). A streaming handler is a wrapper without a name.
 */
function protoName(handler: (...args: unknown[]) => unknown): string {
  const patterns = Reflect.getMetadata(PATTERN_METADATA, handler) as { rpc?: string }[] | undefined;
  const name = patterns?.find((p) => p?.rpc)?.rpc ?? handler.name;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The one place every RPC is logged and timed: one JSON line per call when it ends — `service`,
 * `method`, `organizationId` (absent before authentication), `code` (gRPC status name),
 * `durationMs`, the service's tally — and the RPC counter and latency histogram. Registered
 * outermost, so failed authentication is logged too; a call the client (or shutdown) cut short is
 * logged as CANCELLED. Nothing from the metadata is logged: it carries the API key.
 */
export class RpcInterceptor implements NestInterceptor {
  constructor(private readonly options: RpcInterceptorOptions) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = performance.now();
    const method = protoName(context.getHandler() as (...args: unknown[]) => unknown);
    const metadata = context.switchToRpc().getContext<Metadata | undefined>();
    const totals: Tally = {};
    let outcome: { code: status; error?: unknown } | undefined;
    const { tally, statusOf } = this.options;
    return next.handle().pipe(
      tap({
        next: (response) => tally?.(totals, response),
        complete: () => (outcome = { code: status.OK }),
        error: (error: unknown) => {
          tally?.(totals, undefined, error);
          outcome = { code: statusOf(error), error };
        },
      }),
      finalize(() => this.record(method, metadata, started, totals, outcome ?? { code: status.CANCELLED })),
    );
  }

  private record(
    method: string,
    metadata: Metadata | undefined,
    started: number,
    totals: Tally,
    outcome: { code: status; error?: unknown },
  ): void {
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    const code = status[outcome.code] ?? String(outcome.code);
    const { service, logger, metrics, organizationOf } = this.options;
    metrics.observeRpc(service, method, code, durationMs);
    const line = { service, method, organizationId: organizationOf(metadata), code, durationMs, ...totals };
    if (SERVER_FAULTS.has(outcome.code)) logger.error({ ...line, err: outcome.error }, 'rpc');
    else if (outcome.error !== undefined)
      logger.info({ ...line, error: (outcome.error as Error)?.message ?? String(outcome.error) }, 'rpc');
    else logger.info(line, 'rpc');
  }
}
