import type { Logger } from '@nestjs/common';

/** On SIGINT/SIGTERM: stop taking calls, then close the stores, in the order given. */
export function onShutdown(logger: Logger, steps: (() => Promise<unknown>)[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        logger.error(`shutdown step failed: ${(error as Error).message}`);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
