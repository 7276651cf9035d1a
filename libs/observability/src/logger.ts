import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { safeErrorMessage, serializeError } from './error-serializer';
import { currentLogContext } from './log-context';

/**
 * Keys that may hold patient data if someone logs a whole object by mistake; pino replaces them.
 * The rule is still: log ids, never names, birth dates, addresses or free text.
 */
const REDACTED_PATHS = [
  '*.ssn',
  '*.name',
  '*.familyName',
  '*.givenName',
  '*.birthDate',
  '*.address',
  '*.phone',
  '*.raw',
  '*.rawMessage',
  '*.note',
  '*.notes',
  'patient',
  '*.patient',
];

let root: PinoLogger | undefined;

/** Every logger's options: the services' root logger, and tests that capture lines. */
export function loggerOptions(): LoggerOptions {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: process.env.SERVICE_NAME },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Errors are serialized field by field (see serializeError): never parameters, bodies or rows.
    serializers: { err: serializeError, error: serializeError, cause: serializeError },
    hooks: {
      // pino uses an error's own message as the line's message when none is given; a database
      // error's message can quote the offending value, so such a line gets the safe summary.
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        const error = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
        if (error !== undefined && typeof second !== 'string') {
          const fields = first instanceof Error ? { err: first } : (first as object);
          return method.apply(this, [fields, safeErrorMessage(error)]);
        }
        return method.apply(this, args);
      },
    },
    mixin: () => {
      const context = currentLogContext();
      if (!context) {
        return {};
      }
      const { trace, ...ids } = context;
      return { ...ids, traceId: trace?.traceId, spanId: trace?.spanId };
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function rootLogger(): PinoLogger {
  root ??= pino(
    loggerOptions(),
    // Written asynchronously: lines logged while a write is in flight go out together in the
    // next one. A synchronous write per line cost a system call per handled event, about 5% of a
    // core per service under a 200 msg/s feed on the benchmark machine. pino flushes what is
    // pending when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
  return root;
}

/** A logger named after the class that uses it: `createLogger(MyService.name)`. */
export function createLogger(context: string): PinoLogger {
  return rootLogger().child({ context });
}

/** Routes Nest's own logging through pino, errors under pino's `err` key. */
export class NestPinoLogger implements LoggerService {
  private readonly logger = rootLogger();

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    if (message instanceof Error) {
      this.logger.error({ context, err: message }, safeErrorMessage(message));
      return;
    }
    this.logger.error({ context, stack: trace }, String(message));
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
