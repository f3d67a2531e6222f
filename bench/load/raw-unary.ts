import http2, {
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { status as Status } from '@grpc/grpc-js';
import {
  IngestEventRequest,
  IngestEventResponse,
  IngestionServiceService,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { benchEvent } from '../model';
import { DEADLINE_MS, lanes, type LoopContext } from './ingest-loops';

/**
 * IngestEvent spoken on node:http2 directly: one grpc-js client process saturates near 5k calls/s
 * (its per-call stack, not the wire), which made the load generator the bottleneck of the unary
 * phase. A unary gRPC call is one POST whose body is a length-prefixed protobuf message, answered by
 * one such message and a grpc-status in the trailers (or in the headers of a trailers-only answer).
 */
const PREFIX_BYTES = 5;
const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE, NGHTTP2_CANCEL } =
  http2.constants;

/** A non-OK grpc-status, worded like a grpc-js ServiceError (`14 UNAVAILABLE: …`). */
class GrpcError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`${code} ${Status[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** gRPC framing: a 0 byte (not compressed), the message length (4 bytes, big-endian), the message. */
function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, PREFIX_BYTES);
  return out;
}

/** The one message of a unary response body. */
function unframe(body: Buffer): Buffer {
  if (body.length < PREFIX_BYTES) throw new GrpcError(Status.INTERNAL, 'no response message');
  if (body[0] !== 0) throw new GrpcError(Status.INTERNAL, 'compressed response message');
  const length = body.readUInt32BE(1);
  if (body.length !== PREFIX_BYTES + length) {
    throw new GrpcError(
      Status.INTERNAL,
      `response body of ${body.length} bytes for a ${length}-byte message`,
    );
  }
  return body.subarray(PREFIX_BYTES);
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

/** The answer of a closed stream: `meta` holds grpc-status (the trailers, or a trailers-only response). */
function outcome(meta: IncomingHttpHeaders | undefined, body: Buffer, rstCode: number): IngestEventResponse {
  if (meta?.['grpc-status'] === undefined) {
    throw new GrpcError(Status.UNKNOWN, `stream closed without grpc-status (RST_STREAM code ${rstCode})`);
  }
  const code = meta['grpc-status'];
  if (code !== '0') throw new GrpcError(Number(code), grpcMessage(meta['grpc-message']));
  return IngestEventResponse.decode(unframe(body));
}

/** One unary call; settles once the stream has closed, so every outcome is seen exactly once. */
function call(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body: Buffer) {
  return new Promise<IngestEventResponse>((resolve, reject) => {
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let meta: IncomingHttpHeaders | undefined;
    let failure: Error | undefined;
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) meta = h;
    });
    stream.on('trailers', (h) => (meta = h));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => (failure ??= error));
    // Idle time, which for a unary call whose answer comes at once is its deadline.
    stream.setTimeout(DEADLINE_MS, () => {
      failure ??= new GrpcError(Status.DEADLINE_EXCEEDED, `no answer within ${DEADLINE_MS} ms`);
      stream.close(NGHTTP2_CANCEL);
    });
    stream.on('close', () => {
      if (failure) return reject(failure);
      try {
        resolve(outcome(meta, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), stream.rstCode));
      } catch (error) {
        reject(error);
      }
    });
    stream.end(body);
  });
}

/** One HTTP/2 connection per process, like one grpc-js channel; opened again if the server closed it. */
class Connection {
  private session: ClientHttp2Session | undefined;

  constructor(private readonly address: string) {}

  get(): ClientHttp2Session {
    if (!this.session || this.session.closed || this.session.destroyed) {
      this.session = http2.connect(`http://${this.address}`);
      // A broken session fails the calls on it, and each of those is recorded.
      this.session.on('error', () => undefined);
    }
    return this.session;
  }

  close(): void {
    this.session?.close();
  }
}

/** IngestEvent: one event per call, the same calls and recording as a grpc-js client would make. */
export async function rawIngestEventLoop(
  ctx: Pick<LoopContext, 'task' | 'window' | 'recorder'>,
): Promise<void> {
  const { task, window, recorder } = ctx;
  const connection = new Connection(task.address);
  // node:http2 copies the headers of each request, so one object serves them all.
  const headers: OutgoingHttpHeaders = {
    [HTTP2_HEADER_METHOD]: 'POST',
    [HTTP2_HEADER_PATH]: IngestionServiceService.ingestEvent.path,
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    [HTTP2_HEADER_TE]: 'trailers',
    authorization: `Bearer ${task.apiKey}`,
    // What grpc-js sends for the same deadline, so the server does the same work per call.
    'grpc-timeout': `${DEADLINE_MS}m`,
  };
  try {
    await lanes(ctx, async (seq) => {
      const event = benchEvent(task.prefix, seq, window, task.subscriptions);
      // Started before encoding, as grpc-js serializes inside the call.
      const started = performance.now();
      try {
        const body = frame(IngestEventRequest.encode({ event }).finish());
        const response = await call(connection.get(), headers, body);
        recorder.ok(started, 1, { [response.duplicate ? 'DUPLICATE' : 'answered']: 1 });
      } catch (error) {
        recorder.fail(error);
      }
    });
  } finally {
    connection.close();
  }
}
