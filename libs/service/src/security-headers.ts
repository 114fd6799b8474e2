import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Security headers for every answer of a service (helmet): no `X-Powered-By`, `nosniff`, no framing, no referrer,
 * and for the API's JSON and CSV a Content-Security-Policy that allows nothing (an API answer is never a page).
 * `/docs` (Swagger UI runs scripts and styles of its own) gets every header but that policy; a page of ours sets its
 * own policy over this one.
 */
export function securityHeaders(): Middleware {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    referrerPolicy: { policy: 'no-referrer' },
  }) as Middleware;
  const docs = helmet({ contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } }) as Middleware;
  return (req, res, next) => (req.url?.startsWith('/docs') ? docs : api)(req, res, next);
}
