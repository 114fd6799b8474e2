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
    logCreator: kafkaLogCreator(o.logger),
  });
}

/** A kafkajs `logCreator` writing to a StreamsLogger, at the level logLevelOf gives each line. */
export function kafkaLogCreator(logger: StreamsLogger): () => (entry: LogEntry) => void {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...context } = log;
      logger[logLevelOf(level, message, context.error)](message, context);
    };
}

/**
 * Group-membership churn kafkajs reports as errors although it handles them itself (it rejoins): a member
 * that joins or leaves makes every other member's heartbeat and commit answer these during the rebalance.
 */
const REBALANCE_CHURN = [
  'The group is rebalancing, so a rejoin is needed',
  'Specified group generation id is not valid',
  'The coordinator is not aware of this member',
];

/**
 * What a broker answers while it is still settling (at start-up, after a topic was created, while a group forms or
 * rebalances): kafkajs retries each itself, and a request that still fails then fails the caller with its own
 * error. Matched in the line's `error` (the broker's answer) or its message.
 */
const SETTLING = [
  'This server does not host this topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  "The coordinator is loading and hence can't process requests",
];

/** Where a kafkajs log line goes in the library's logger. */
export function logLevelOf(level: logLevel, message: string, error?: unknown): 'error' | 'warn' | 'debug' {
  // kafkajs advises unbounded retries for idempotence; we bound them on purpose so a publish fails
  // (and ingest answers 503) instead of waiting forever, so the advice is noise.
  if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
  if (typeof error === 'string' && (REBALANCE_CHURN.includes(error) || SETTLING.includes(error))) return 'debug';
  if (SETTLING.some((answer) => message.includes(answer))) return 'debug';
  // The rebalance itself ("The group is rebalancing, re-joining"): normal whenever a member joins or leaves.
  if (message.includes('rebalancing')) return 'debug';
  // Two members creating the same topic at once (instances starting together): the loser's CreateTopics answer.
  // ensureTopic reads the error itself and throws a typed one for anything but "already exists".
  if (message.startsWith('Response CreateTopics') && error === 'Topic creation errors') return 'debug';
  if (level <= logLevel.ERROR) return 'error';
  if (level === logLevel.WARN) return 'warn';
  return 'debug';
}
