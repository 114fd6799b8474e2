import { DEFAULT_TOPIC_PARTITIONS } from '@switchboard/domain';
import type {
  KafkaSaslMechanism,
  KafkaTlsOptions,
  StreamingClientOptions,
  StreamsAccessError,
  TopicPolicy,
} from '@switchboard/streams';
import { z } from 'zod';
import { EnvError, envIssues, readEnvFile } from './env-files';
import { sharedEnv } from './env-schemas';

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
const optionalText = z.string().min(1).optional();

/**
 * The Kafka connection's variables, the same for every service, the CLI, the supervisor and the bench (README
 * "Configuration" and "Deploying"). Kafka's own names for the protocols and mechanisms, so a hosted Kafka's
 * connection page reads across.
 */
const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: sharedEnv.KAFKA_BROKERS,
  KAFKA_SECURITY_PROTOCOL: z.enum(SECURITY_PROTOCOLS).default('PLAINTEXT'),
  KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_USERNAME_FILE: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
  KAFKA_SASL_PASSWORD_FILE: optionalText,
  KAFKA_SSL_CA_FILE: optionalText,
  KAFKA_SSL_CERT_FILE: optionalText,
  KAFKA_SSL_KEY_FILE: optionalText,
  /** Prepended to every client id (hosted clusters key ACLs and quotas by it). */
  KAFKA_CLIENT_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
    .default(''),
  /** `verify`: the services never create a topic, they fail their start naming those missing. */
  KAFKA_TOPICS: z.enum(['create', 'verify']).default('create'),
  /** Partitions of the topics the services create (and of the plan): the aggregator's parallelism ceiling. */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_TOPIC_PARTITIONS),
  /** Replication factor of the topics the services create (and of the plan): 3 on a production cluster. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32).default(1),
});

/** Every variable loadKafkaConnection reads. */
export const KAFKA_ENV_KEYS: readonly string[] = Object.keys(kafkaEnvSchema.shape);

/** How every Switchboard process reaches Kafka: the brokers, TLS and SASL, as the streams library takes them. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: KafkaTlsOptions | true;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  clientIdPrefix: string;
  topics: TopicPolicy;
  /** Partitions and replication factor of the topics this connection's clients create (and of the plan). */
  partitions: number;
  replicationFactor: number;
  /** The protocol and mechanism, for logs and errors (never a credential). */
  readonly summary: string;
}

type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

/** A value given directly or as a file (`<NAME>_FILE`, a mounted secret; one trailing newline dropped). */
function valueOrFile(e: KafkaEnv, name: 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD', issues: string[]) {
  const direct = e[name];
  const file = e[`${name}_FILE`];
  if (direct !== undefined && file !== undefined) {
    issues.push(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  if (file === undefined) return direct;
  return readEnvFile(`${name}_FILE`, file, issues)
    ?.toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Checks between the variables, each issue naming the variable to set or unset; reads the files. */
function connectionOf(e: KafkaEnv, issues: string[]): KafkaConnection | undefined {
  const protocol = e.KAFKA_SECURITY_PROTOCOL;
  const usesSasl = protocol.startsWith('SASL_');
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const saslVariables = (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).flatMap((n) =>
    [n, `${n}_FILE` as const].filter((k) => k in e && e[k as keyof KafkaEnv] !== undefined),
  );
  if (!usesSasl) {
    for (const n of saslVariables)
      issues.push(`${n}: only used with KAFKA_SECURITY_PROTOCOL SASL_PLAINTEXT or SASL_SSL (it is ${protocol})`);
  }
  if (!usesTls) {
    for (const n of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const)
      if (e[n] !== undefined)
        issues.push(`${n}: only used with KAFKA_SECURITY_PROTOCOL SSL or SASL_SSL (it is ${protocol})`);
  }
  if ((e.KAFKA_SSL_CERT_FILE === undefined) !== (e.KAFKA_SSL_KEY_FILE === undefined)) {
    const missing = e.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
    issues.push(
      `${missing}: required with ${missing === 'KAFKA_SSL_CERT_FILE' ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE'} (a client certificate and its key go together)`,
    );
  }
  let sasl: KafkaConnection['sasl'];
  if (usesSasl) {
    if (e.KAFKA_SASL_MECHANISM === undefined)
      issues.push(
        `KAFKA_SASL_MECHANISM: required with KAFKA_SECURITY_PROTOCOL ${protocol} (${SASL_MECHANISMS.join(', ')})`,
      );
    const username = valueOrFile(e, 'KAFKA_SASL_USERNAME', issues);
    const password = valueOrFile(e, 'KAFKA_SASL_PASSWORD', issues);
    if (!username && e.KAFKA_SASL_USERNAME_FILE === undefined)
      issues.push(
        `KAFKA_SASL_USERNAME: required with KAFKA_SECURITY_PROTOCOL ${protocol} (or KAFKA_SASL_USERNAME_FILE)`,
      );
    if (!password && e.KAFKA_SASL_PASSWORD_FILE === undefined)
      issues.push(
        `KAFKA_SASL_PASSWORD: required with KAFKA_SECURITY_PROTOCOL ${protocol} (or KAFKA_SASL_PASSWORD_FILE)`,
      );
    if (e.KAFKA_SASL_MECHANISM && username && password)
      sasl = { mechanism: e.KAFKA_SASL_MECHANISM.toLowerCase() as KafkaSaslMechanism, username, password };
  }
  let ssl: KafkaConnection['ssl'];
  if (usesTls) {
    const tls: KafkaTlsOptions = {};
    const ca = e.KAFKA_SSL_CA_FILE && readEnvFile('KAFKA_SSL_CA_FILE', e.KAFKA_SSL_CA_FILE, issues);
    const cert = e.KAFKA_SSL_CERT_FILE && readEnvFile('KAFKA_SSL_CERT_FILE', e.KAFKA_SSL_CERT_FILE, issues);
    const key = e.KAFKA_SSL_KEY_FILE && readEnvFile('KAFKA_SSL_KEY_FILE', e.KAFKA_SSL_KEY_FILE, issues);
    if (ca) tls.ca = ca;
    if (cert && key) Object.assign(tls, { cert, key });
    ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (issues.length > 0) return undefined;
  const summary = [
    protocol,
    sasl && `${e.KAFKA_SASL_MECHANISM} as ${sasl.username}`,
    ssl && typeof ssl === 'object' && ssl.cert && 'with a client certificate',
  ]
    .filter(Boolean)
    .join(' ');
  return Object.freeze({
    brokers: e.KAFKA_BROKERS,
    ...(ssl && { ssl }),
    ...(sasl && { sasl }),
    clientIdPrefix: e.KAFKA_CLIENT_ID_PREFIX,
    topics: e.KAFKA_TOPICS,
    partitions: e.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    summary,
  });
}

/**
 * The Kafka connection from the environment, validated once (the files read now): an EnvError lists every
 * problem, each naming its variable. The values of the credentials never appear in a message.
 */
export function loadKafkaConnection(env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  const parsed = kafkaEnvSchema.safeParse(env);
  const issues = parsed.success ? [] : envIssues(parsed.error);
  const connection = parsed.success ? connectionOf(parsed.data, issues) : undefined;
  if (!connection) throw new EnvError(issues);
  return connection;
}

/** The streams library's options for one client of this connection (the client id gets the prefix). */
export function streamingClientOptions(
  kafka: KafkaClientSettings,
  clientId: string,
): Pick<
  StreamingClientOptions,
  'brokers' | 'clientId' | 'ssl' | 'sasl' | 'topics' | 'defaultPartitions' | 'replicationFactor'
> {
  return {
    brokers: kafka.brokers,
    clientId: `${kafka.clientIdPrefix}${clientId}`,
    ...(kafka.ssl && { ssl: kafka.ssl }),
    ...(kafka.sasl && { sasl: kafka.sasl }),
    topics: kafka.topics,
    ...(kafka.partitions !== undefined && { defaultPartitions: kafka.partitions }),
    ...(kafka.replicationFactor !== undefined && { replicationFactor: kafka.replicationFactor }),
  };
}

/** What a client needs of the connection (tests and tools may leave out the topic defaults). */
export type KafkaClientSettings = Pick<KafkaConnection, 'brokers' | 'ssl' | 'sasl' | 'clientIdPrefix' | 'topics'> &
  Partial<Pick<KafkaConnection, 'partitions' | 'replicationFactor'>>;

/** What to check, by the variables that set it, when the cluster refused us. */
const ACCESS_HINTS: Record<string, string> = {
  authentication: 'check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or their _FILE variants)',
  tls: "check KAFKA_SECURITY_PROTOCOL (the listener must speak TLS), KAFKA_SSL_CA_FILE (the CA that signed the brokers' certificates) and, for mutual TLS, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE",
};

/** The cluster refused this process (SASL or TLS): a start-up failure, never retried, saying which variables to fix. */
export class KafkaAccessError extends Error {
  constructor(cause: StreamsAccessError, kafka: KafkaConnection) {
    const reason = String(cause.context.reason);
    super(
      `Kafka at ${kafka.brokers.join(',')} refused the connection (${kafka.summary}): ${cause.message}; ${ACCESS_HINTS[reason] ?? ACCESS_HINTS.tls}`,
      { cause },
    );
    this.name = 'KafkaAccessError';
  }
}
