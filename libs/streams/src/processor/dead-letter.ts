import type { OutboxRecord } from '../postgres/checkpoint-store';

/** The provenance headers of every dead-letter record (README: "Dead letters"). Any Kafka client can read them. */
export const DeadLetterHeaders = Object.freeze({
  sourceTopic: 'sb-dlq-source-topic',
  sourcePartition: 'sb-dlq-source-partition',
  sourceOffset: 'sb-dlq-source-offset',
  /** One sentence: what was wrong (at most 1,000 characters). */
  error: 'sb-dlq-error',
  /** A class of error: an Error's name (`StreamsDecodeError`) or an app's class of refusal (`late`, `invalid`). */
  errorType: 'sb-dlq-error-type',
  attempt: 'sb-dlq-attempt',
});

/** `<topic>.dlq`: the dead-letter topic of an input topic, unless a processor was given another. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/** Where the refused item was read: the input message it came from. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface DeadLetter {
  source: DeadLetterSource;
  /** Default `<source.topic>.dlq`. */
  topic?: string;
  key: string | null;
  value: Buffer | null;
  error: string;
  errorType: string;
  /** Default 1. */
  attempt?: number;
  /** Headers to keep (e.g. the original message's); the provenance headers win over them. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * One dead-letter record for the checkpoint outbox, so it is written exactly once with the checkpoint that refused
 * the item. Used by StreamProcessor for undecodable messages and by apps for items they refuse (late, invalid).
 */
export function deadLetterRecord(d: DeadLetter): OutboxRecord {
  return {
    topic: d.topic ?? deadLetterTopicOf(d.source.topic),
    key: d.key,
    value: d.value,
    headers: {
      ...d.headers,
      [DeadLetterHeaders.sourceTopic]: d.source.topic,
      [DeadLetterHeaders.sourcePartition]: String(d.source.partition),
      [DeadLetterHeaders.sourceOffset]: d.source.offset,
      [DeadLetterHeaders.error]: d.error.slice(0, 1000),
      [DeadLetterHeaders.errorType]: d.errorType,
      [DeadLetterHeaders.attempt]: String(d.attempt ?? 1),
    },
  };
}
