import { EnergyQueryError } from '@switchboard/billing';
import { ApiError, type RenderErrorOptions } from '@switchboard/service';

export { ApiError };

/** The gateway's errors beyond ApiError: the billing library's typed refusals are 400 with their code. */
export const GATEWAY_ERRORS: RenderErrorOptions = {
  map: (err) =>
    err instanceof EnergyQueryError
      ? { status: 400, body: { error: err.code, message: err.message }, headers: {} }
      : undefined,
  rateLimitedMessage: 'too many requests for this token; slow down and retry after Retry-After seconds',
  notFoundMessage: 'no such endpoint; see /docs',
};
