/** Where a stray rejection is reported: the logger's error line and a counter. */
export interface StrayRejectionSink {
  /** One line naming the rejection's reason (with its stack when it is an Error). */
  error(message: string): void;
  /** Counts it (metering_unhandled_rejections_total once metrics exist); optional. */
  count?(): void;
}

/** Text of a rejection reason for the log: an Error's stack, else its string form. */
function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? reason.message;
  return String(reason);
}

/**
 * A promise rejected with no handler would end the process (Node's default,
 * `--unhandled-rejections=throw`), taking every call of every client with it. Each RPC already
 * answers its own failure with a status (the exception filter, and the stream pipeline settles
 * every promise it starts), so a rejection that still gets here is a defect to see in the log and
 * the metrics, not a reason to stop serving. Installed once by every `main.ts`; returns the
 * uninstaller (for tests). Uncaught *exceptions* keep Node's default (the process stops): the
 * state they leave behind is unknown.
 */
export function installProcessGuards(sink: StrayRejectionSink): () => void {
  const onRejection = (reason: unknown) => {
    sink.count?.();
    sink.error(`unhandled promise rejection (the process keeps serving): ${describe(reason)}`);
  };
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
