import type { ZodType } from 'zod';
import { StreamsConfigError } from '../core/errors';
import { type OpenStreamsOptions, resolveOpenStreamsOptions } from './open-streams';

/** Where a consumer group starts on a partition it has no committed offset for. */
export enum AutoOffsetReset {
  /** From the beginning (a group that has committed resumes after its last commit). */
  Earliest = 'earliest',
  /** From the end: history is skipped. */
  Latest = 'latest',
  /** Refuse to start: the group must have committed before. */
  Error = 'error',
}

export enum CommitMode {
  /** Commit what handlers finished every `everyMessages` messages or `everyMs` milliseconds, and on close/rebalance. */
  Automatic = 'automatic',
  /** Only `await consumer.commit()` commits. */
  Manual = 'manual',
}

/** What to do when a handler throws: send the message to the dead-letter topic and go on, or stop. */
export enum ErrorPolicy {
  DeadLetter = 'dead-letter',
  Stop = 'stop',
}

export interface TopicConsumerOptions<T = Record<string, number | string>> {
  consumerGroup: string;
  autoOffsetReset?: AutoOffsetReset;
  commit?: { mode: CommitMode; everyMessages?: number; everyMs?: number };
  onError?: ErrorPolicy;
  /** Default `<topic>.dlq`; created on first use. Undecodable messages always go here. */
  deadLetterTopic?: string;
  /** Validates each timeseries row and types `onRowsReceived` rows; an invalid row follows `onError`. */
  timeseries?: ZodType<T>;
  /** How long the group waits for a silent member before moving its partitions (default 10 s). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Partitions processed at the same time (default 2); a partition's messages always run in order. */
  partitionsConsumedConcurrently?: number;
  /**
   * A stream not seen for this long (wall-clock ms) is evicted: its `onStreamClosed` handlers get
   * `StreamEndType.Terminated` and the consumer forgets it; if it comes back it is a new stream (default 1 h;
   * `Infinity`: only a stream-end message ends it). Producers that never end their streams (one per call) need it.
   */
  streamTtlMs?: number;
  /** At most this many open streams are held; beyond, the least recently seen are evicted (default 100,000). */
  maxOpenStreams?: number;
}

export interface ResolvedConsumerOptions<T> {
  consumerGroup: string;
  autoOffsetReset: AutoOffsetReset;
  commit: { mode: CommitMode; everyMessages: number; everyMs: number };
  onError: ErrorPolicy;
  deadLetterTopic: string;
  timeseries?: ZodType<T>;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
  openStreams: OpenStreamsOptions;
}

export function resolveConsumerOptions<T>(topic: string, o: TopicConsumerOptions<T>): ResolvedConsumerOptions<T> {
  if (!o || typeof o.consumerGroup !== 'string' || o.consumerGroup.length === 0) {
    throw new StreamsConfigError(
      `a consumer of "${topic}" needs a consumerGroup name; pass { consumerGroup: 'my-service' }`,
    );
  }
  const commit = {
    mode: o.commit?.mode ?? CommitMode.Automatic,
    everyMessages: o.commit?.everyMessages ?? 5000,
    everyMs: o.commit?.everyMs ?? 5000,
  };
  if (!Object.values(CommitMode).includes(commit.mode))
    throw new StreamsConfigError(
      `commit.mode must be CommitMode.Automatic or CommitMode.Manual; got ${String(commit.mode)}`,
    );
  if (!(commit.everyMessages >= 1))
    throw new StreamsConfigError(`commit.everyMessages must be ≥ 1; got ${commit.everyMessages}`);
  if (!(commit.everyMs >= 10)) throw new StreamsConfigError(`commit.everyMs must be ≥ 10 ms; got ${commit.everyMs}`);
  const autoOffsetReset = o.autoOffsetReset ?? AutoOffsetReset.Earliest;
  if (!Object.values(AutoOffsetReset).includes(autoOffsetReset)) {
    throw new StreamsConfigError(
      `autoOffsetReset must be 'earliest', 'latest' or 'error'; got ${String(autoOffsetReset)}`,
    );
  }
  const sessionTimeoutMs = o.sessionTimeoutMs ?? 10_000;
  const heartbeatIntervalMs = o.heartbeatIntervalMs ?? Math.min(1000, Math.floor(sessionTimeoutMs / 3));
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) {
    throw new StreamsConfigError(
      `heartbeatIntervalMs (${heartbeatIntervalMs}) must be at most a third of sessionTimeoutMs (${sessionTimeoutMs})`,
    );
  }
  return {
    consumerGroup: o.consumerGroup,
    autoOffsetReset,
    commit,
    onError: o.onError ?? ErrorPolicy.DeadLetter,
    deadLetterTopic: o.deadLetterTopic ?? `${topic}.dlq`,
    timeseries: o.timeseries,
    sessionTimeoutMs,
    heartbeatIntervalMs,
    partitionsConsumedConcurrently: o.partitionsConsumedConcurrently ?? 2,
    openStreams: resolveOpenStreamsOptions(topic, o),
  };
}
