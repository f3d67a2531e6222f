import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from './errors';

export interface CallerOrganization {
  id: string;
  name: string;
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

/**
 * A small TTL cache for lookups that other services answer (API keys, metric definitions,
 * subscriptions). Concurrent gets of one key share a single load; an answer is kept `ttlMs` from
 * when it arrived; a failed load is not kept.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; pending: boolean; expires: number }>();

  constructor(
    ttlMs: number,
    /** A TTL per answer, e.g. longer for a found record than for "not found". */
    private readonly ttlOf: (value: V) => number = () => ttlMs,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && (hit.pending || hit.expires > Date.now())) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = { value: load(), pending: true, expires: 0 };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        entry.pending = false;
        entry.expires = Date.now() + this.ttlOf(value);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
