import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { status as Status } from '@grpc/grpc-js';

/**
 * gRPC spoken on node:http2 directly, for the load generators: a grpc-js client spends more CPU per
 * call than the wire needs (its per-call stack, message handling), and on a 2-core box shared with
 * the server under test that CPU is taken from the server. A gRPC call is one HTTP/2 stream: POST
 * headers, length-prefixed protobuf messages each way, and a grpc-status in the trailers (or in the
 * headers of a trailers-only answer). Errors are worded like grpc-js ServiceErrors so the bench
 * reports read the same whichever client made them.
 */
const PREFIX_BYTES = 5;
const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE, NGHTTP2_CANCEL } =
  http2.constants;

/** A non-OK grpc-status, worded like a grpc-js ServiceError (`14 UNAVAILABLE: …`). */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${Status[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** A failure of the connection or stream, worded as grpc-js reports it (`14 UNAVAILABLE: read ECONNRESET`). */
export function grpcError(error: Error): GrpcError {
  return error instanceof GrpcError ? error : new GrpcError(Status.UNAVAILABLE, error.message);
}

/** The request headers of a call; node:http2 copies them per request, so one object serves them all. */
export function callHeaders(path: string, apiKey: string, deadlineMs?: number): OutgoingHttpHeaders {
  return {
    [HTTP2_HEADER_METHOD]: 'POST',
    [HTTP2_HEADER_PATH]: path,
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    [HTTP2_HEADER_TE]: 'trailers',
    authorization: `Bearer ${apiKey}`,
    // What grpc-js sends for the same deadline, so the server does the same work per call.
    ...(deadlineMs === undefined ? {} : { 'grpc-timeout': `${deadlineMs}m` }),
  };
}

/** gRPC framing: a 0 byte (not compressed), the message length (4 bytes, big-endian), the message. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX_BYTES);
  return out;
}

/**
 * Cuts a response body into its messages as DATA chunks arrive: a message may straddle chunks (a
 * 1,000-result response spans ~15 of them) and a chunk may end one message and start the next. A
 * message that lies in one chunk is passed on as a view of it; only one that straddles is copied.
 */
export class Deframer {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the message being read, or -1 while its 5-byte prefix is awaited. */
  private length = -1;

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  /** Throws on a compressed message (never asked for); `onMessage` may throw too. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.length < 0) {
        if (this.buffered < PREFIX_BYTES) return;
        const prefix = this.take(PREFIX_BYTES);
        if (prefix[0] !== 0) throw new GrpcError(Status.INTERNAL, 'compressed response message');
        this.length = prefix.readUInt32BE(1);
      }
      if (this.buffered < this.length) return;
      const message = this.take(this.length);
      this.length = -1;
      this.onMessage(message);
    }
  }

  /** True if the body stopped inside a message. */
  get partial(): boolean {
    return this.buffered > 0 || this.length >= 0;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    for (let at = 0; at < n;) {
      const chunk = this.chunks[0];
      const k = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, k);
      at += k;
      if (k === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(k);
    }
    return out;
  }
}

/** grpc-message is percent-encoded. */
function grpcMessage(raw: string | string[] | undefined): string {
  const text = String(raw ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Watches a call's stream for its grpc-status; the returned function, called once the stream has
 * closed, gives the call's error (undefined for OK).
 */
export function watchStatus(stream: ClientHttp2Stream): () => GrpcError | undefined {
  let meta: IncomingHttpHeaders | undefined;
  stream.on('response', (headers) => {
    if (headers['grpc-status'] !== undefined) meta = headers;
  });
  stream.on('trailers', (trailers) => (meta = trailers));
  return () => {
    const code = meta?.['grpc-status'];
    if (code === undefined) {
      return new GrpcError(
        Status.UNKNOWN,
        `stream closed without grpc-status (RST_STREAM code ${stream.rstCode})`,
      );
    }
    return code === '0' ? undefined : new GrpcError(Number(code), grpcMessage(meta?.['grpc-message']));
  };
}

/** Cancels a call's stream (RST_STREAM CANCEL), as grpc-js does on a deadline or a cancel(). */
export function cancel(stream: ClientHttp2Stream): void {
  stream.close(NGHTTP2_CANCEL);
}

/** The events a call listens to on its stream; node:http2 puts no listener of its own on them. */
const CALL_EVENTS = ['response', 'trailers', 'data', 'error', 'timeout', 'close'] as const;
const ignore = () => undefined;

/**
 * Drops a closed stream's call listeners. node:http2 keeps a closed stream reachable until the next
 * full GC, and with it those listeners and all they hold (for a unary call, its promise and so the
 * decoded 1,000-result answer): dropped, that dies young instead of being promoted to the old
 * generation (against a mock server, about a third less CPU per event for IngestEvents).
 */
export function release(stream: ClientHttp2Stream): void {
  for (const event of CALL_EVENTS) stream.removeAllListeners(event);
  stream.on('error', ignore);
}

/**
 * One unary call: `body` (framed) out, one message back, decoded with `decode`. Settles once the
 * stream has closed, so every outcome is seen exactly once. The deadline is idle time, which for a
 * call whose answer comes at once is its deadline.
 */
export function unaryCall<T>(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  decode: (message: Buffer) => T,
  deadlineMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stream = session.request(headers);
    const status = watchStatus(stream);
    const messages: Buffer[] = [];
    const deframer = new Deframer((message) => messages.push(message));
    let failure: Error | undefined;
    stream.on('data', (chunk: Buffer) => {
      try {
        deframer.push(chunk);
      } catch (error) {
        failure ??= error as Error;
        cancel(stream);
      }
    });
    stream.on('error', (error) => (failure ??= grpcError(error)));
    stream.setTimeout(deadlineMs, () => {
      failure ??= new GrpcError(Status.DEADLINE_EXCEEDED, `no answer within ${deadlineMs} ms`);
      cancel(stream);
    });
    stream.on('close', () => {
      release(stream);
      const error = failure ?? status();
      if (error) return reject(error);
      if (messages.length !== 1 || deframer.partial) {
        const what = deframer.partial ? 'a cut message' : `${messages.length} messages`;
        return reject(new GrpcError(Status.INTERNAL, `unary response with ${what}`));
      }
      try {
        resolve(decode(messages[0]));
      } catch (error) {
        reject(error);
      }
    });
    stream.end(body);
  });
}

/** One HTTP/2 connection per process, like one grpc-js channel; opened again if the server closed it. */
export class Connection {
  private session: ClientHttp2Session | undefined;

  constructor(private readonly address: string) {}

  get(): ClientHttp2Session {
    if (!this.session || this.session.closed || this.session.destroyed) {
      // grpc-js lifts the session memory cap too: node:http2 degrades badly when it is reached.
      this.session = http2.connect(`http://${this.address}`, { maxSessionMemory: Number.MAX_SAFE_INTEGER });
      // A broken session fails the calls on it, and each of those is recorded.
      this.session.on('error', () => undefined);
    }
    return this.session;
  }

  /** Connects now, so a worker says `ready` only once the server has accepted its connection. */
  ready(timeoutMs = 60_000): Promise<void> {
    const session = this.get();
    if (!session.connecting) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => session.destroy(new Error(`no HTTP/2 connection within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onError = (error: Error) => (clearTimeout(timer), reject(grpcError(error)));
      session.once('error', onError).once('connect', () => {
        clearTimeout(timer);
        session.off('error', onError);
        resolve();
      });
    });
  }

  close(): void {
    this.session?.close();
  }
}
