import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { isDatabaseError, serializeError } from '@sc/observability';

/** For the `default` of an exhaustive switch: an unmapped union member (a new error code) does not compile. */
export function assertUnreachable(value: never): never {
  throw new Error(`unhandled value ${String(value)}`);
}

/**
 * The last-resort filter for both transports of a hybrid service: HTTP errors get Nest's usual
 * answer; an event handler's error is passed through untouched, so the Kafka transport sees its
 * code and decides between retry and dead-letter.
 */
@Catch()
export class TransportAwareExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') {
      return throwError(() => exception);
    }
    if (exception && typeof exception === 'object' && isDatabaseError(exception) && serializeError(exception).sqlState?.startsWith('22')) {
      // SQLSTATE class 22, data exception: the request carried a value PostgreSQL cannot store
      // (NUL, an invalid byte sequence, a value out of range). The caller's to fix, never a 500.
      host.switchToHttp().getResponse<Response>().status(HttpStatus.BAD_REQUEST).json({ statusCode: 400, code: 'UNSTORABLE_INPUT', message: 'a value cannot be stored' });
      return;
    }
    super.catch(exception, host);
  }
}

/**
 * Base of each app's domain-error filter: one mapping from error code to HTTP status. On the
 * event transport the error passes through (the transport reads `retryable`).
 */
export abstract class DomainErrorHttpFilter<E extends Error & { code: string }> implements ExceptionFilter<E> {
  protected abstract statusFor(error: E): HttpStatus;

  catch(error: E, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') {
      return throwError(() => error);
    }
    const status = this.statusFor(error);
    host.switchToHttp().getResponse<Response>().status(status).json({ statusCode: status, code: error.code, message: error.message });
  }
}
