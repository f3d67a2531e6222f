import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from './errors';

export interface CallerOrganization {
  id: string;
  name: string;
  /**
   * The organization's registry version as read when this call was authenticated (an int64 as
   * decimal text; libs/postgres/migrations/0003_registry_version.sql). Unset where nothing cached
   * depends on it.
   */
  registryVersion?: string;
}

/** Turns an API key into its organization; throws UnauthenticatedError for an unknown key. */
export interface OrganizationResolver {
  resolve(apiKey: string): Promise<CallerOrganization>;
}

const callers = new WeakMap<Metadata, CallerOrganization>();

export function bearerToken(metadata: Metadata | undefined): string {
  const header = metadata?.get('authorization')[0];
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match)
    throw new UnauthenticatedError('authorization: expected metadata "authorization: Bearer <api key>"');
  return match[1];
}

/**
 * Every RPC of every service requires `authorization: Bearer <key>` (SPEC §1). The guard resolves the
 * key once per call and remembers the organization against the call's metadata object, which is
 * the same object the handler receives.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly resolver: OrganizationResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const metadata = context.switchToRpc().getContext<Metadata>();
    callers.set(metadata, await this.resolver.resolve(bearerToken(metadata)));
    return true;
  }
}

/** The organization of the current call; only valid behind AuthGuard. */
export function callerOf(metadata: Metadata | undefined): CallerOrganization {
  const caller = metadata && callers.get(metadata);
  if (!caller) throw new UnauthenticatedError('authorization: the call was not authenticated');
  return caller;
}
