import type { MeterPropertiesInput, QueuePropertiesInput, StreamRecord } from '@switchboard/domain';

export type MeterProperties = MeterPropertiesInput;
export type QueueProperties = QueuePropertiesInput;

/**
 * The port between HTTP and Kafka. Contract of every method that writes:
 * - resolves only when Kafka acknowledged everything it was given (acks from all in-sync replicas);
 * - rejects with {@link PublisherUnavailableError} when Kafka cannot take it within the publisher's
 *   bound; the caller then accepts nothing of the request (503), and the client retries.
 */
export interface EventPublisher {
  publish(records: readonly StreamRecord[]): Promise<void>;
  setMeterProperties(tenant: string, meterId: string, props: MeterProperties): Promise<void>;
  setQueueProperties(tenant: string, queue: string, props: QueueProperties): Promise<void>;
  /** Resolves when Kafka is reachable; rejects with a reason otherwise (readiness). */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_PUBLISHER = Symbol('EventPublisher');

/** Kafka could not take the records within the bound: nothing of the request counts as accepted. */
export class PublisherUnavailableError extends Error {
  readonly retriable = true;
  constructor(
    message: string,
    readonly context: { records: number; timeoutMs?: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublisherUnavailableError';
  }
}

/** Bounds a Kafka operation: a slow or absent broker becomes a typed "unavailable" error. */
export async function withinBound<T>(work: Promise<T>, timeoutMs: number, context: { records: number }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PublisherUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms`, { ...context, timeoutMs }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    if (err instanceof PublisherUnavailableError) throw err;
    throw new PublisherUnavailableError(
      `Kafka refused the records: ${(err as Error)?.message ?? String(err)}`,
      context,
      {
        cause: err,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}
