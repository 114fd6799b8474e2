import type { OutboxRecord } from '../postgres/checkpoint-store';
import { deadLetterHeaders } from '../streams/dead-letter-headers';

export { DeadLetterHeaders } from '../streams/dead-letter-headers';

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
    headers: { ...d.headers, ...deadLetterHeaders(d.source, d.error, d.errorType, d.attempt) },
  };
}
