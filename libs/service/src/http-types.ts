import type { IncomingMessage, ServerResponse } from 'node:http';

// The few Express request/response members the services touch (the repo has no @types/express); apps extend them.
export interface HttpRequest extends IncomingMessage {
  path?: string;
  route?: { path?: string };
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}
