import { ServerGrpc } from '@nestjs/microservices';

interface StreamBuffer {
  cleanup: () => void;
}

/**
 * NestJS's gRPC server, with one fix. For a client-streaming method Nest buffers the messages that
 * arrive before the handler runs (the handler waits for the async auth guard), and replays them once
 * the handler subscribed; but when the client half-closes first, its `cleanup` drops that buffer,
 * and every message of the stream is lost (@nestjs/microservices 11.2 `bufferUntilDrained`). A
 * client that writes its batches and ends at once would get no response at all. Here `cleanup`
 * keeps the buffer; the replay releases it.
 */
export class StreamSafeServerGrpc extends ServerGrpc {}

const base = (ServerGrpc.prototype as unknown as { bufferUntilDrained: () => StreamBuffer })
  .bufferUntilDrained;
Object.defineProperty(StreamSafeServerGrpc.prototype, 'bufferUntilDrained', {
  value: function bufferUntilDrained(this: ServerGrpc): StreamBuffer {
    return { ...base.call(this), cleanup: () => {} };
  },
});
