import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { StreamsLogger } from '../core/logger';

export interface ConnectionOptions {
  brokers: string[];
  clientId: string;
  logger: StreamsLogger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Retries of one request before it fails (kafkajs' exponential back-off). */
  retries?: number;
}

/** One kafkajs client; its log lines go to the library's logger. */
export function createKafka(o: ConnectionOptions): Kafka {
  return new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    connectionTimeout: o.connectionTimeoutMs ?? 3000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    retry: { retries: o.retries ?? 5, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...context } = log;
        // kafkajs advises unbounded retries for idempotence; we bound them on purpose so a publish fails
        // (and ingest answers 503) instead of waiting forever, so the advice is noise.
        if (message.startsWith('Limiting retries for the idempotent producer')) return o.logger.debug(message, context);
        if (level <= logLevel.ERROR) o.logger.error(message, context);
        else if (level === logLevel.WARN) o.logger.warn(message, context);
        else o.logger.debug(message, context);
      },
  });
}
