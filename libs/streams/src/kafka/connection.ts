import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type ISocketFactory, Kafka, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import { StreamsAccessError } from '../core/errors';
import type { StreamsLogger } from '../core/logger';
import type { KafkaSecurityOptions, KafkaTlsOptions } from '../port';

export interface ConnectionOptions extends KafkaSecurityOptions {
  brokers: string[];
  clientId: string;
  logger: StreamsLogger;
  /** Where TLS failures of this client's sockets are reported (see AccessFailures). */
  failures?: AccessFailures;
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
    ...(o.ssl && { ssl: o.ssl === true ? true : tlsOptions(o.ssl) }),
    // The union kafkajs types per mechanism; ours is one shape with the same fields for all three.
    ...(o.sasl && { sasl: { ...o.sasl } as SASLOptions }),
    ...(o.failures && { socketFactory: watchedSocketFactory(o.failures) }),
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

/** The library's TLS options as Node's (kafkajs passes them to `tls.connect`). */
function tlsOptions(t: KafkaTlsOptions) {
  return {
    ...(t.ca !== undefined && { ca: Array.isArray(t.ca) ? [...t.ca] : (t.ca as string | Buffer) }),
    ...(t.cert !== undefined && { cert: t.cert }),
    ...(t.key !== undefined && { key: t.key }),
    ...(t.passphrase !== undefined && { passphrase: t.passphrase }),
    rejectUnauthorized: t.rejectUnauthorized ?? true,
  };
}

/**
 * Certificate and handshake failures of Node's TLS (an untrusted or expired broker certificate, a wrong host name,
 * the broker refusing our client certificate, TLS spoken to a plaintext listener). kafkajs wraps them in a retriable
 * connection error and retries with back-off, so a service would wait its retries out and then say only "connection
 * error"; these fail the same way every time, and AccessFailures says so at once.
 */
export function isTlsFailure(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'EPROTO'
  );
}

/**
 * The TLS failures one client's sockets met, as StreamsAccessErrors: `next()` rejects at the first one after the
 * call, so a connection check can fail with the cause instead of a timeout.
 */
export class AccessFailures {
  private waiting: ((err: StreamsAccessError) => void)[] = [];
  last: StreamsAccessError | undefined;

  record(broker: string, cause: Error & { code?: string }): void {
    const err = new StreamsAccessError(
      `TLS with the Kafka broker ${broker} failed (${cause.code}): ${cause.message}. The broker's certificate must be signed by a CA the client trusts (ssl.ca), the listener must speak TLS, and where the broker wants a client certificate, ours must be one its CA signed`,
      { context: { reason: 'tls', broker, code: cause.code }, cause },
    );
    this.last = err;
    const waiting = this.waiting;
    this.waiting = [];
    for (const reject of waiting) reject(err);
  }

  /** Rejects at the next TLS failure (never resolves); `stop()` forgets the waiter. */
  next(): { failed: Promise<never>; stop: () => void } {
    let reject!: (err: StreamsAccessError) => void;
    const failed = new Promise<never>((_, r) => {
      reject = r;
    });
    failed.catch(() => undefined); // a race that already settled must not leave an unhandled rejection
    this.waiting.push(reject);
    const stop = () => {
      this.waiting = this.waiting.filter((w) => w !== reject);
    };
    return { failed, stop };
  }
}

/** kafkajs' own socket factory (net or tls, SNI for host names, keep-alive), reporting TLS failures. */
function watchedSocketFactory(failures: AccessFailures): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const socket: Socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    socket.on('error', (err: Error & { code?: string }) => {
      if (isTlsFailure(err)) failures.record(`${host}:${port}`, err);
    });
    return socket;
  };
}

/**
 * A kafkajs error (or one it wrapped) that says the cluster refused our SASL credentials, as a StreamsAccessError;
 * undefined for anything else. kafkajs already fails these without retrying; this names them for the caller.
 */
export function saslRefusal(err: unknown, broker?: string): StreamsAccessError | undefined {
  for (
    let e = err as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.name === 'KafkaJSSASLAuthenticationError' || /SASL .*authentication failed/i.test(String(e.message))) {
      return new StreamsAccessError(`Kafka refused the SASL credentials: ${e.message}`, {
        context: { reason: 'authentication', ...(broker && { broker }) },
        cause: err,
      });
    }
    e = e.cause as typeof e;
  }
  return undefined;
}
