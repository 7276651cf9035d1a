/**
 * What an error may put in a log line. pino's standard serializer copies every enumerable
 * property, and a failed statement carries its parameters (TypeORM's `parameters`, `query`,
 * `driverError`) and PostgreSQL's `detail`/`where` ("Key (family_name)=(…) already exists"):
 * patient data. So fields are listed, never copied.
 */
export interface SerializedError {
  type: string;
  /** Absent for database errors: PostgreSQL puts the offending value in many messages. */
  message?: string;
  stack?: string;
  code?: string | number;
  sqlState?: string;
  constraint?: string;
  /** The name of a prepared statement, when the failed query had one. */
  statement?: string;
  cause?: SerializedError;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_CAUSE_DEPTH = 3;

/** A PostgreSQL error, as node-postgres raises it or as TypeORM wraps it (QueryFailedError). */
export function isDatabaseError(error: object): boolean {
  const record = error as Record<string, unknown>;
  if ('driverError' in record || error.constructor?.name === 'QueryFailedError') {
    return true;
  }
  return typeof record.code === 'string' && SQLSTATE.test(record.code) && typeof record.severity === 'string';
}

/** The stack's frames only: its first lines repeat the message. */
function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') {
    return undefined;
  }
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

function statementName(error: Record<string, unknown>): string | undefined {
  const query = error.query as unknown;
  if (query && typeof query === 'object' && typeof (query as { name?: unknown }).name === 'string') {
    return (query as { name: string }).name;
  }
  return typeof error.statement === 'string' ? error.statement : undefined;
}

export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!value || typeof value !== 'object') {
    // A thrown string or number: its text is whatever the thrower wrote, so only its type is kept.
    return { type: typeof value };
  }
  const error = value as Record<string, unknown>;
  const type = value.constructor?.name && value.constructor.name !== 'Object' ? value.constructor.name : 'Error';
  const cause = depth < MAX_CAUSE_DEPTH && error.cause !== undefined ? serializeError(error.cause, depth + 1) : undefined;
  if (isDatabaseError(value)) {
    const driver = (error.driverError ?? error) as Record<string, unknown>;
    const code = typeof driver.code === 'string' ? driver.code : undefined;
    return {
      type,
      sqlState: code && SQLSTATE.test(code) ? code : undefined,
      // A connection error (ECONNREFUSED) has a Node code instead of a SQLSTATE: just as safe.
      code: code && !SQLSTATE.test(code) ? code : undefined,
      constraint: typeof driver.constraint === 'string' ? driver.constraint : undefined,
      statement: statementName(error),
      stack: framesOf(error.stack),
      cause,
    };
  }
  const code = error.code;
  return {
    type,
    message: typeof error.message === 'string' ? error.message : undefined,
    stack: framesOf(error.stack) ?? undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    cause,
  };
}

/** The message to log with an error: never the database's own text. */
export function safeErrorMessage(value: unknown): string {
  if (value && typeof value === 'object' && isDatabaseError(value)) {
    const { sqlState, constraint } = serializeError(value);
    return `database error ${sqlState ?? ''}${constraint ? ` (${constraint})` : ''}`.trim();
  }
  return value instanceof Error ? value.message : 'non-error thrown';
}
