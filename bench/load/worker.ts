import type { Client } from '@grpc/grpc-js';
import { bearer, meteringClients, type MeteringClients } from '../../libs/testing/src/clients';
import { ingestEventsLoop } from './ingest-loops';
import type { FromWorker, Schedule, ToWorker, WorkerResult, WorkerTask } from './protocol';
import { rawIngestEventLoop } from './raw-unary';
import { Recorder } from './recorder';
import { streamEventsLoop } from './stream-loop';
import { usageLoop } from './usage-loop';

/**
 * One load-generating client process (forked by bench/load/phase.ts): connects, says `ready`,
 * runs its task on `go`, sends its result and exits. One grpc-js client saturates near 5k calls/s,
 * so a phase runs several of these, and IngestEvent goes over node:http2 directly (raw-unary.ts).
 */
const send = (message: FromWorker) => process.send!(message);
const LOOPS = {
  ingestEvents: ingestEventsLoop,
  streamEvents: streamEventsLoop,
  ingestEvent: rawIngestEventLoop,
};
let state: { task: WorkerTask; clients: MeteringClients } | undefined;

async function prepare(task: WorkerTask): Promise<void> {
  // One channel per process: every client of the set targets the task's server.
  const a = task.address;
  const clients = meteringClients({ registry: a, ingestion: a, aggregation: a });
  const channel: Client = task.kind === 'getUsage' ? clients.aggregation : clients.ingestion;
  await new Promise<void>((resolve, reject) =>
    channel.waitForReady(Date.now() + 60_000, (error) => (error ? reject(error) : resolve())),
  );
  state = { task, clients };
}

async function run(schedule: Schedule): Promise<WorkerResult> {
  const { task, clients } = state!;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, schedule.startAt - Date.now())));
  if (task.kind === 'getUsage') return usageLoop(clients, task);
  const recorder = new Recorder(schedule);
  const window = { from: new Date(task.window.from), to: new Date(task.window.to) };
  await LOOPS[task.kind]({
    client: clients.ingestion,
    metadata: bearer(task.apiKey),
    task,
    window,
    recorder,
  });
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
  state?.clients.close();
  process.exit(0);
});
