import { meteringClients, type MeteringClients } from '../../libs/testing/src/clients';
import { Connection } from './grpc-wire';
import { ingestEventLoop, ingestEventsLoop } from './ingest-loops';
import type {
  FromWorker,
  IngestTask,
  Schedule,
  ToWorker,
  UsageTask,
  WorkerResult,
  WorkerTask,
} from './protocol';
import { Recorder } from './recorder';
import { streamEventsLoop } from './stream-loop';
import { usageLoop } from './usage-loop';

/**
 * One load-generating client process (forked by bench/load/phase.ts): connects, says `ready`,
 * runs its task on `go`, sends its result and exits. The ingestion loads speak gRPC on node:http2
 * directly (grpc-wire.ts), as grpc-js clients cost CPU the server under test would not get; a phase
 * runs several of these processes. GetUsage, one call at a time, keeps the grpc-js client.
 */
const send = (message: FromWorker) => process.send!(message);
const LOOPS = {
  ingestEvents: ingestEventsLoop,
  streamEvents: streamEventsLoop,
  ingestEvent: ingestEventLoop,
};
type State = { task: UsageTask; clients: MeteringClients } | { task: IngestTask; connection: Connection };
let state: State | undefined;

async function prepare(task: WorkerTask): Promise<void> {
  if (task.kind === 'getUsage') {
    // One channel per process: every client of the set targets the task's server.
    const a = task.address;
    const clients = meteringClients({ registry: a, ingestion: a, aggregation: a });
    await new Promise<void>((resolve, reject) =>
      clients.aggregation.waitForReady(Date.now() + 60_000, (error) => (error ? reject(error) : resolve())),
    );
    state = { task, clients };
  } else {
    const connection = new Connection(task.address);
    await connection.ready();
    state = { task, connection };
  }
}

async function run(schedule: Schedule): Promise<WorkerResult> {
  const current = state!;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, schedule.startAt - Date.now())));
  if ('clients' in current) return usageLoop(current.clients, current.task);
  const { task, connection } = current;
  const recorder = new Recorder(schedule);
  const window = { from: new Date(task.window.from), to: new Date(task.window.to) };
  await LOOPS[task.kind]({ connection, task, window, recorder });
  return recorder.done();
}

process.on('message', (message: ToWorker) => {
  const step =
    message.type === 'task'
      ? prepare(message.task).then(() => send({ type: 'ready' }))
      : run(message.schedule).then((result) => send({ type: 'result', result }));
  step.catch((error: Error) => send({ type: 'error', message: error.stack ?? error.message }));
});
process.on('disconnect', () => {
  if (state && 'clients' in state) state.clients.close();
  else state?.connection.close();
  process.exit(0);
});
