/**
 * One error hierarchy for the library. `retriable` says whether the same call may succeed later (the
 * broker was away, a rebalance was in progress); `context` carries the fields that locate the failure.
 */
export class StreamsError extends Error {
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, opts: { retriable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retriable = opts.retriable ?? false;
    this.context = Object.freeze({ ...(opts.context ?? {}) });
  }
}

/** Options that cannot work; the message says what to do instead. Thrown at construction. */
export class StreamsConfigError extends StreamsError {}

/** A message on a topic that the wire format cannot read. */
export class StreamsDecodeError extends StreamsError {}

/** A row or event that does not match the stream's schema; the message names the field. */
export class StreamsValidationError extends StreamsError {}

/** Kafka did not acknowledge what was published. Retriable when the broker may take it later. */
export class StreamsPublishError extends StreamsError {}

/** A handler threw or rejected while processing a message. */
export class StreamsHandlerError extends StreamsError {}

/** The consumer or producer was used after close(). */
export class StreamsClosedError extends StreamsError {}

/**
 * The cluster refused this client: authentication failed or TLS could not be set up (an untrusted or missing
 * certificate, TLS against a plaintext listener). Never retriable: the same credentials fail the same way, so a
 * service fails its start instead of retrying. `context.reason` is `authentication` or `tls`.
 */
export class StreamsAccessError extends StreamsError {}

/** A topic the client must not create (topics: 'verify') does not exist; `context.topic` names it. */
export class StreamsTopicMissingError extends StreamsError {}
