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

/** The provenance headers of one dead letter: where it was read, what was wrong, which attempt. */
export function deadLetterHeaders(
  source: { topic: string; partition: number; offset: string },
  error: string,
  errorType: string,
  attempt = 1,
): Record<string, string> {
  return {
    [DeadLetterHeaders.sourceTopic]: source.topic,
    [DeadLetterHeaders.sourcePartition]: String(source.partition),
    [DeadLetterHeaders.sourceOffset]: source.offset,
    [DeadLetterHeaders.error]: error.slice(0, 1000),
    [DeadLetterHeaders.errorType]: errorType,
    [DeadLetterHeaders.attempt]: String(attempt),
  };
}
