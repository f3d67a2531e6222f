import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from './errors';

export interface GrpcErrorPayload {
  code: status;
  message: string;
}

/** The status a thrown error is answered with: a domain error's own code, anything else INTERNAL. */
export function grpcStatusOf(error: unknown): status {
  return error instanceof DomainError ? error.grpcCode : status.INTERNAL;
}

/**
 * Maps a thrown error to the status a client sees; anything unmapped is INTERNAL with a generic
 * message, never UNKNOWN. The cause is logged by the RPC interceptor (libs/observability), once.
 */
export function toGrpcError(error: unknown): GrpcErrorPayload {
  if (error instanceof DomainError) return { code: error.grpcCode, message: error.message };
  return { code: status.INTERNAL, message: 'internal error (details in the server log)' };
}

/** The one global filter of every gRPC app. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => toGrpcError(exception));
  }
}
