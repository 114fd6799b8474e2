import { ApiError } from './api-error';
import type { HttpRequest, HttpResponse } from './http-types';

/** The longest request target the gateway reads: its queries need a few hundred characters at most. */
export const MAX_URL_LENGTH = 2048;

/** Refuses an over-long request target (414) before routing, guards or logging look at it. */
export function urlLengthLimit(req: HttpRequest, res: HttpResponse, next: () => void): void {
  if ((req.url ?? '').length <= MAX_URL_LENGTH) {
    next();
    return;
  }
  res
    .status(414)
    .json({ error: 'uri_too_long', message: `the request target is longer than ${MAX_URL_LENGTH} characters` });
}

/**
 * The query parameters of an endpoint, refusing any other (a typo such as `form=` must not silently widen a
 * request). Repeated parameters arrive as arrays, which the parsers refuse with their own sentence.
 */
export function allowedQuery(query: Record<string, unknown>, allowed: readonly string[]): Record<string, unknown> {
  for (const name of Object.keys(query)) {
    if (!allowed.includes(name)) {
      throw ApiError.badRequest(
        `unknown query parameter; this endpoint takes ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
        'unknown_parameter',
      );
    }
  }
  return query;
}
