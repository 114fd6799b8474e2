import type { IncomingMessage, ServerResponse } from 'node:http';

// The few Express request/response members we touch (the repo has no @types/express).
export interface HttpRequest extends IncomingMessage {
  path?: string;
  route?: { path?: string };
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}
