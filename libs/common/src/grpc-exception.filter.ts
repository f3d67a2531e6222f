import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from './errors';

export interface GrpcErrorPayload {
  code: status;
  message: string;
}

/** Maps a thrown error to the status a client sees; anything unmapped is INTERNAL, never UNKNOWN. */
export function toGrpcError(error: unknown, logger: Logger): GrpcErrorPayload {
  if (error instanceof DomainError) return { code: error.grpcCode, message: error.message };
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { code: status.INTERNAL, message: 'internal error (details in the server log)' };
}

/** The one global filter of every gRPC app. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcExceptionFilter');

  catch(exception: unknown): Observable<never> {
    const payload = toGrpcError(exception, this.logger);
    return throwError(() => payload);
  }
}
