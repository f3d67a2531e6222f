import { fork } from 'node:child_process';
import path from 'node:path';
import { stopChild, type Cleanup } from '../cleanup';
import { freePort } from '../../libs/testing/src/free-port';

export interface BareServer {
  address: string;
  stop(): Promise<void>;
}

/** Starts bench/baselines/bare-server.js in its own process, like the product's server. */
export async function startBareServer(cleanup: Cleanup): Promise<BareServer> {
  const port = await freePort();
  const child = cleanup.track(
    fork(path.join(__dirname, 'bare-server.js'), [String(port)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
    'bare gRPC server',
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare gRPC server exited (${code}) during start-up`)));
  });
  child.removeAllListeners('exit');
  return { address: `127.0.0.1:${port}`, stop: () => stopChild(child, 5_000) };
}
