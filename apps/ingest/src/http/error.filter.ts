import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { PublisherUnavailableError } from '../publishing/event-publisher';
import { ApiError } from './api-error';
import type { HttpRequest, HttpResponse } from './http-types';

export interface ErrorBody {
  error: string;
  message: string;
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

interface Rendered {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** Maps anything thrown to a status and an `{error, message}` body; never a stack trace. */
export function renderError(err: unknown, retryAfterSeconds: number): Rendered {
  if (err instanceof ApiError)
    return { status: err.status, body: { error: err.code, message: err.message }, headers: err.headers };
  if (err instanceof PublisherUnavailableError) {
    return {
      status: 503,
      body: {
        error: 'unavailable',
        message: `Kafka cannot take events right now; nothing of this request was accepted. Retry later.`,
      },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    // Terminus' readiness report ({status: 'error', details}) is a body meant for operators: keep it.
    if (typeof response === 'object' && response !== null && 'details' in response) {
      return { status, body: response as unknown as ErrorBody, headers: {} };
    }
    const message =
      status === 429 ? 'too many requests for this tenant; slow down and retry after Retry-After seconds' : err.message;
    return { status, body: { error: CODES[status] ?? `http_${status}`, message }, headers: {} };
  }
  return { status: 500, body: { error: 'internal_error', message: 'internal error; it has been logged' }, headers: {} };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('ErrorFilter');

  constructor(private readonly retryAfterSeconds: number) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    const req = host.switchToHttp().getRequest<HttpRequest>();
    const { status, body, headers } = renderError(err, this.retryAfterSeconds);
    if (status >= 500) this.log.error({ err, path: req.path, status }, body.message);
    if (res.headersSent) return void res.end();
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  }
}
