import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Paths never written: an API key travels in `authorization` metadata; nothing here logs metadata,
 * and these paths make sure a careless `log.info({ metadata })` cannot leak one either.
 */
const REDACT = [
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'metadata',
  '*.metadata',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; default stdout. A TTY gets pino-pretty's readable lines, anything else JSON lines. */
  destination?: DestinationStream & { isTTY?: boolean };
  /** Fields on every line, e.g. `{ service: 'ingestion' }`. */
  base?: Record<string, unknown>;
}

/**
 * The process's one logger: JSON lines (pino) with `time` in epoch ms, `level` as a name and errors
 * serialised with their `cause`. On a terminal, human-readable and coloured; in a file or pipe,
 * plain JSON with no colour codes.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 1, sync: true });
  const tty = options.destination ? options.destination.isTTY === true : process.stdout.isTTY === true;
  const settings: pino.LoggerOptions = {
    level: options.level,
    base: options.base ?? null,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  if (!tty) return pino(settings, destination);
  return pino(
    settings,
    pretty({
      colorize: true,
      sync: true,
      destination: destination as never,
      translateTime: 'SYS:HH:MM:ss.l',
    }),
  );
}

/** Nest's own log lines (bootstrap, module errors) through the same logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    if (message instanceof Error) this.logger.error({ context, err: message }, message.message);
    else this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
