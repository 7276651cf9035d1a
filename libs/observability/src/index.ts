export { createLogger, rootLogger, NestPinoLogger } from './logger';
export { runWithLogContext, currentLogContext, type LogContext } from './log-context';
export type { Logger } from 'pino';
export { parseTraceparent, formatTraceparent, childSpan, type TraceContext } from './trace-context';
