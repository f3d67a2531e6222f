import { StartupError } from '../../observability/src/listen-error';

/**
 * Runs a program's main(): a StartupError (bad configuration, a port in use, a store in use) is
 * printed as its message alone; anything else with its stack. Either way the exit status is 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: Error) => {
    console.error(error instanceof StartupError ? error.message : (error.stack ?? error.message));
    process.exit(1);
  });
}
