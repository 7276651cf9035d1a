import type { NextFunction, Request, Response } from 'express';
import { SpanKind, parseTraceparent, withSpan } from '@sc/observability';

/** One server span per HTTP request, continuing the caller's W3C trace context when sent. */
export function httpTracing(request: Request, response: Response, next: NextFunction): void {
  void withSpan(
    `HTTP ${request.method}`,
    { kind: SpanKind.Server, parent: parseTraceparent(request.header('traceparent')), attributes: { 'http.request.method': request.method } },
    (span) =>
      new Promise<void>((resolve) => {
        response.once('finish', () => {
          const route = (request.route as { path?: string } | undefined)?.path;
          if (route) {
            span.setAttribute('http.route', route);
          }
          span.setAttribute('http.response.status_code', response.statusCode);
          resolve();
        });
        response.once('close', () => resolve());
        next();
      }),
  );
}
