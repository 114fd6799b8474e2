import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { HttpRequest, HttpResponse } from './http-types';

/** Every error body of a Switchboard HTTP API: a stable machine code and one sentence for humans. */
export interface ErrorBody {
  error: string;
  message: string;
}

/**
 * An error an API answers with: status, code and sentence (never the request's input, never a secret), plus
 * headers such as `Retry-After` or `WWW-Authenticate`. `JsonErrorFilter` renders it as `{error, message}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** 400, `bad_request` unless a more precise code is given. */
  static badRequest(message: string, code = 'bad_request'): ApiError {
    return new ApiError(400, code, message);
  }

  /** 401 with `WWW-Authenticate: Bearer` (every Switchboard API takes bearer credentials). */
  static unauthorized(message: string, code = 'unauthorized'): ApiError {
    return new ApiError(401, code, message, { 'WWW-Authenticate': 'Bearer' });
  }

  /** 413, `payload_too_large` unless a more precise code is given. */
  static payloadTooLarge(message: string, code = 'payload_too_large'): ApiError {
    return new ApiError(413, code, message);
  }
}

export interface RenderedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

export const HTTP_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

export interface RenderErrorOptions {
  /** App-specific errors (a domain's typed refusals) → a rendered error; undefined for the defaults below. */
  map?: (err: unknown) => RenderedError | undefined;
  /** The sentence of a 429 from the throttler (it has none worth showing). */
  rateLimitedMessage?: string;
  /** The sentence of a 404 for an unknown route; by default the router's own (`Cannot GET /x`). */
  notFoundMessage?: string;
}

/** Maps anything thrown to a status and an `{error, message}` body; never a stack trace. */
export function renderError(err: unknown, opts: RenderErrorOptions = {}): RenderedError {
  if (err instanceof ApiError)
    return { status: err.status, body: { error: err.code, message: err.message }, headers: err.headers };
  const mapped = opts.map?.(err);
  if (mapped) return mapped;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    // Terminus' readiness report ({status: 'error', details}) is a body meant for operators: keep it.
    if (typeof response === 'object' && response !== null && 'details' in response) {
      return { status, body: response as unknown as ErrorBody, headers: {} };
    }
    const message =
      status === 429
        ? (opts.rateLimitedMessage ?? 'too many requests; retry later')
        : status === 404
          ? (opts.notFoundMessage ?? err.message)
          : err.message;
    return { status, body: { error: HTTP_ERROR_CODES[status] ?? `http_${status}`, message }, headers: {} };
  }
  return { status: 500, body: { error: 'internal_error', message: 'internal error; it has been logged' }, headers: {} };
}

/** Renders every exception as JSON `{error, message}` (5xx are logged with the error, never sent). */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('ErrorFilter');

  constructor(private readonly opts: RenderErrorOptions = {}) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    const req = host.switchToHttp().getRequest<HttpRequest>();
    const { status, body, headers } = renderError(err, this.opts);
    if (status >= 500) this.log.error({ err, path: req.path, status }, body.message);
    if (res.headersSent) return void res.end();
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json(body);
  }
}
