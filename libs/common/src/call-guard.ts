import {
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServerInterceptingCallInterface,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';

/** A request message that cannot be served as it is; stands in for it until CallGuard answers INVALID_ARGUMENT. */
export class Undecodable {
  constructor(readonly message: string) {}
}

/** The path of the first string holding a NUL character (PostgreSQL text cannot store one), or null. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value))
    return null;
  for (const [key, child] of Object.entries(value)) {
    const found =
      nulPath(key, `${path}.${key}`) ??
      nulPath(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/**
 * Makes every request decoder of `definition` (proto-loader's) return an Undecodable instead of
 * throwing: grpc-js answers a throwing decoder with INTERNAL, but bytes that are not a valid message
 * are the caller's fault (SPEC §2.2 rule 9: INVALID_ARGUMENT). CallGuard turns it into that status.
 * So does a string holding a NUL character, which no store here can keep (PostgreSQL text).
 */
export function tolerantDecoders(definition: PackageDefinition): PackageDefinition {
  for (const service of Object.values(definition)) {
    if ('format' in service) continue; // a message or enum type, not a service
    for (const method of Object.values(service)) {
      const decode = method.requestDeserialize;
      method.requestDeserialize = (bytes: Buffer) => {
        let request: object;
        try {
          request = decode(bytes);
        } catch (error) {
          return new Undecodable(`request: not a valid protobuf message (${(error as Error).message})`);
        }
        const nul = nulPath(request, 'request');
        return nul ? new Undecodable(`${nul}: contains a NUL character`) : request;
      };
    }
  }
  return definition;
}

interface Tracked {
  cut(details: string): void;
}

/**
 * A grpc-js server interceptor that sees every call before NestJS does:
 * - a request that could not be decoded (Undecodable) ends the call with INVALID_ARGUMENT;
 * - it knows the calls in flight, so that shutdown can answer those it cuts short with UNAVAILABLE
 *   (which clients retry) instead of the CANCELLED of a forced server shutdown. Once a call got its
 *   status here, whatever the handler sends later is dropped.
 */
export class CallGuard {
  private readonly active = new Set<Tracked>();

  /** Calls that have not ended yet. */
  get inFlight(): number {
    return this.active.size;
  }

  /** Ends every call in flight with UNAVAILABLE and `details`; returns how many. */
  cutAll(details: string): number {
    const calls = [...this.active];
    for (const call of calls) call.cut(details);
    return calls.length;
  }

  readonly interceptor: ServerInterceptor = (_method, call: ServerInterceptingCallInterface) => {
    let ended = false;
    const finish = (code: status, details: string) => {
      if (ended) return;
      ended = true;
      this.active.delete(tracked);
      call.sendStatus({ code, details, metadata: new Metadata() });
    };
    const tracked: Tracked = { cut: (details) => finish(status.UNAVAILABLE, details) };
    this.active.add(tracked);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, pass) => {
            if (message instanceof Undecodable) {
              finish(status.INVALID_ARGUMENT, message.message);
            } else if (!ended) pass(message);
          },
          onCancel: () => {
            ended = true;
            this.active.delete(tracked);
          },
        }),
      sendStatus: (outcome, next) => {
        if (ended) return;
        ended = true;
        this.active.delete(tracked);
        next(outcome);
      },
    });
  };
}
