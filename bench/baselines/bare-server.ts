import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import {
  IngestEventResponse,
  IngestionServiceService,
  type IngestionServiceServer,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';

/**
 * The unary baseline: a bare @grpc/grpc-js server with the product's IngestionService definition
 * whose IngestEvent answers an empty response at once. Forked by bench/baselines/bare-grpc.ts with
 * the port as argument; says `ready` over IPC once bound.
 */
const EMPTY = IngestEventResponse.fromPartial({});
const unimplemented = { code: status.UNIMPLEMENTED, details: 'not part of the baseline' };

const server = new Server();
const handlers: IngestionServiceServer = {
  ingestEvent: (_call, callback) => callback(null, EMPTY),
  ingestEvents: (_call, callback) => callback(unimplemented),
  streamEvents: (call) => call.destroy(Object.assign(new Error(unimplemented.details), unimplemented)),
  getEvent: (_call, callback) => callback(unimplemented),
  listEvents: (_call, callback) => callback(unimplemented),
};
server.addService(IngestionServiceService, handlers);
server.bindAsync(`127.0.0.1:${process.argv[2]}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  process.send!('ready');
});
process.on('disconnect', () => server.tryShutdown(() => process.exit(0)));
