import type { IngestConfig } from '../config';
import { type EventPublisher, PublisherUnavailableError } from './event-publisher';

/** Placeholder until libs/streams lands: every write is "unavailable", so ingest answers 503. */
export function createStreamsPublisher(_config: IngestConfig): EventPublisher {
  const unavailable = () =>
    Promise.reject(new PublisherUnavailableError('the streams library is not wired yet', { records: 0 }));
  return {
    publish: unavailable,
    setMeterProperties: unavailable,
    setQueueProperties: unavailable,
    checkReady: unavailable,
    close: async () => {},
  };
}
