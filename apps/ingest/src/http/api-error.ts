/**
 * An error the API answers with: status, a stable machine code and a sentence for humans.
 * Thrown from guards, body parsing and handlers; the error filter renders it as `{error, message}`.
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

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'bad_request', message);
  }
  static unauthorized(message: string): ApiError {
    return new ApiError(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer' });
  }
  static payloadTooLarge(code: 'payload_too_large' | 'too_many_events', message: string): ApiError {
    return new ApiError(413, code, message);
  }
}
