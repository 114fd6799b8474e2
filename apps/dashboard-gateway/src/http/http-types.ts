import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardClaims } from '@switchboard/domain';

// The few Express request/response members we touch (the repo has no @types/express).
export interface HttpRequest extends IncomingMessage {
  path?: string;
  route?: { path?: string };
  query?: Record<string, unknown>;
  /** Set by DashboardAuthGuard: the verified token's claims. The tenant comes from here only. */
  dashboard?: DashboardClaims & { tokenId: string };
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}
