import type { NextFunction, Request, Response } from 'express';

/** Longest request target answered normally; longer ones get 414 (Node reads up to MAX_HEADER_BYTES). */
export const MAX_URL_LENGTH = 8 * 1024;
/** Node's header limit, raised so a long URL is read whole and answered 414 rather than reset. */
export const MAX_HEADER_BYTES = 128 * 1024;
/** Deepest JSON accepted: the API's bodies nest a few levels; validation recurses per level. */
export const MAX_JSON_DEPTH = 32;

// NUL, and UTF-16 halves without their other half: PostgreSQL cannot store either in text.
 
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string holds a character PostgreSQL refuses in text (NUL, a lone surrogate). */
export function isUnstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}

/** Paths (`a.b[2]`) of strings in `value` that PostgreSQL cannot store. */
export function unstorableTextPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') {
    return isUnstorableText(value) ? [path || '(value)'] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => unstorableTextPaths(item, `${path}[${index}]`));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [...(isUnstorableText(key) ? [`${path}${path ? '.' : ''}(key)`] : []), ...unstorableTextPaths(item, path ? `${path}.${key}` : key)]);
  }
  return [];
}

/** Whether `value` nests deeper than `limit`, without recursing past the limit. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    // Parsed JSON only: a raw body (a CSV upload's Buffer) is not walked byte by byte.
    if (item && typeof item === 'object' && !ArrayBuffer.isView(item)) {
      if (depth >= limit) {
        return true;
      }
      for (const child of Object.values(item)) {
        stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}

function refuse(response: Response, status: number, message: string): void {
  response.status(status).json({ statusCode: status, code: 'INPUT_REFUSED', message });
}

/**
 * Refuses, before any validation or handler, input the services cannot take: an over-long URL
 * (414), a query string with a character PostgreSQL cannot store, or a body nested deeper than
 * validation can recurse (400). Unstorable characters in a body are the handler's to report
 * (a roster row's, per row) or the database error mapping's (400).
 */
export function inputLimits(request: Request, response: Response, next: NextFunction): void {
  if (request.originalUrl.length > MAX_URL_LENGTH) {
    refuse(response, 414, `URL longer than ${MAX_URL_LENGTH} characters`);
    return;
  }
  let query: string;
  try {
    query = decodeURIComponent(request.originalUrl);
  } catch {
    refuse(response, 400, 'URL is not valid percent-encoded UTF-8');
    return;
  }
  if (isUnstorableText(query)) {
    refuse(response, 400, 'URL holds a character that cannot be stored (NUL or a lone surrogate)');
    return;
  }
  if (nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
    refuse(response, 400, `body nests deeper than ${MAX_JSON_DEPTH} levels`);
    return;
  }
  next();
}
