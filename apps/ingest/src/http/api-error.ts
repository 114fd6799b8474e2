import { ApiError, type RenderErrorOptions } from '@switchboard/service';
import { PublisherUnavailableError } from '../publishing/event-publisher';

export { ApiError };

/** Ingest's errors beyond ApiError: Kafka unavailable is a 503 with Retry-After, nothing of the request accepted. */
export function ingestErrors(retryAfterSeconds: number): RenderErrorOptions {
  return {
    map: (err) =>
      err instanceof PublisherUnavailableError
        ? {
            status: 503,
            body: {
              error: 'unavailable',
              message: `Kafka cannot take events right now; nothing of this request was accepted. Retry later.`,
            },
            headers: { 'Retry-After': String(retryAfterSeconds) },
          }
        : undefined,
    rateLimitedMessage: 'too many requests for this tenant; slow down and retry after Retry-After seconds',
  };
}
