/**
 * A failed listen as one line an operator can act on (`EADDRINUSE` → which port, which variable
 * moves it), instead of a raw stack. Other errors pass through unchanged.
 */
export function listenError(
  error: unknown,
  what: string,
  host: string,
  port: number,
  variable: string,
): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = String((error as Error | undefined)?.message ?? error);
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message)) {
    return new StartupError(
      `${what}: ${host}:${port} is already in use (another metering still running? stop it, or set ${variable})`,
    );
  }
  if (code === 'EACCES' || /EACCES|permission denied/i.test(message)) {
    return new StartupError(`${what}: not allowed to listen on ${host}:${port} (set ${variable})`);
  }
  return error instanceof Error ? error : new Error(message);
}

/** An error whose message is the whole story: main() prints it alone, without a stack. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
