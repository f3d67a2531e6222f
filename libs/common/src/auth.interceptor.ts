import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { from, mergeMap, type Observable } from 'rxjs';
import type { AuthGuard } from './auth';

/**
 * Runs the auth guard as an interceptor, inside the RPC interceptor: a guard runs before every
 * interceptor, so a call refused for its key would never be logged or counted.
 */
export class AuthInterceptor implements NestInterceptor {
  constructor(private readonly guard: AuthGuard) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.guard.canActivate(context)).pipe(mergeMap(() => next.handle()));
  }
}
