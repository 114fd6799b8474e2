import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTime } from 'pino-http';

/** A request that took at least this long is logged at info even when it succeeded. */
export const SLOW_REQUEST_MS = 1000;

/**
 * The level of a request's log line (pino-http's `customLogLevel`): a failure (5xx, or an error) at error, a
 * refusal (4xx) at warn, a slow success at info, and every other success at debug, so a terminal at the
 * default level shows what needs a look and not one line per request.
 */
export function requestLogLevel(
  _req: IncomingMessage,
  res: ServerResponse,
  err?: Error,
  now: number = Date.now(),
): 'error' | 'warn' | 'info' | 'debug' {
  if (err || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  const started = (res as ServerResponse & { [startTime]?: number })[startTime];
  if (started !== undefined && now - started >= SLOW_REQUEST_MS) return 'info';
  return 'debug';
}
