import { DEFAULT_MAX_FUTURE_MS, DEFAULT_MAX_PAST_MS } from '@switchboard/domain';
import {
  CONNECTION_ENV_KEYS,
  connectionsOf,
  type DatabaseConnection,
  type KafkaConnection,
  sharedEnv,
} from '@switchboard/service';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);

/** The environment ingest reads, validated once at start; everything below it takes the typed object. */
const envSchema = z.object({
  INGEST_PORT: int(0).max(65_535).default(3000),
  INGEST_HOST: z.string().min(1).default('127.0.0.1'),
  SWITCHBOARD_TOPIC_NAMESPACE: sharedEnv.SWITCHBOARD_TOPIC_NAMESPACE,
  INSTANCE_ID: sharedEnv.INSTANCE_ID,
  INGEST_MAX_BODY_BYTES: int(1).default(5 * 1024 * 1024),
  INGEST_MAX_EVENTS: int(1).default(10_000),
  INGEST_MAX_PAST_MS: int(0).default(DEFAULT_MAX_PAST_MS),
  INGEST_MAX_FUTURE_MS: int(0).default(DEFAULT_MAX_FUTURE_MS),
  INGEST_RATE_LIMIT: int(1).default(1000),
  INGEST_RATE_WINDOW_MS: int(1).default(1000),
  INGEST_PUBLISH_TIMEOUT_MS: int(1).default(10_000),
  INGEST_RETRY_AFTER_SECONDS: int(1).default(5),
  INGEST_API_KEY_CACHE_MS: int(0).default(5000),
  /** Failed authentications of one client address per window before it is refused for the block time. */
  INGEST_FAILED_AUTH_LIMIT: int(1).default(20),
  INGEST_FAILED_AUTH_WINDOW_MS: int(1).default(60_000),
  INGEST_FAILED_AUTH_BLOCK_MS: int(1).default(60_000),
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
});

/** Every variable ingest reads (deployment files are checked against it: test/deploy), the connections' included. */
export const INGEST_ENV_KEYS: readonly string[] = [...Object.keys(envSchema.shape), ...CONNECTION_ENV_KEYS];

export interface IngestConfig {
  http: { port: number; host: string };
  /** This instance's name on service.status; default `<host>-<pid>`. */
  instanceId: string | undefined;
  database: DatabaseConnection;
  kafka: KafkaConnection & { clientId: string; topicNamespace?: string };
  limits: { maxBodyBytes: number; maxEvents: number };
  time: { maxPastMs: number; maxFutureMs: number };
  /** Requests per tenant per window, per ingest instance. */
  rateLimit: { limit: number; windowMs: number };
  /** How long a request may wait for Kafka's acks before it is answered 503. */
  publish: { timeoutMs: number; retryAfterSeconds: number };
  /** How long a looked-up key is trusted; a revocation takes effect within this time. */
  apiKeyCacheMs: number;
  /** Failed authentications per client address (FailedAuthLimiter). */
  failedAuth: { limit: number; windowMs: number; blockMs: number };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid ingest configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const parsed = envSchema.safeParse(env);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const connections = connectionsOf(env, issues);
  if (!parsed.success || !connections) throw new ConfigError(issues);
  const e = parsed.data;
  return Object.freeze({
    http: { port: e.INGEST_PORT, host: e.INGEST_HOST },
    instanceId: e.INSTANCE_ID,
    database: connections.database,
    kafka: { ...connections.kafka, clientId: 'switchboard-ingest', topicNamespace: e.SWITCHBOARD_TOPIC_NAMESPACE },
    limits: { maxBodyBytes: e.INGEST_MAX_BODY_BYTES, maxEvents: e.INGEST_MAX_EVENTS },
    time: { maxPastMs: e.INGEST_MAX_PAST_MS, maxFutureMs: e.INGEST_MAX_FUTURE_MS },
    rateLimit: { limit: e.INGEST_RATE_LIMIT, windowMs: e.INGEST_RATE_WINDOW_MS },
    publish: { timeoutMs: e.INGEST_PUBLISH_TIMEOUT_MS, retryAfterSeconds: e.INGEST_RETRY_AFTER_SECONDS },
    apiKeyCacheMs: e.INGEST_API_KEY_CACHE_MS,
    failedAuth: {
      limit: e.INGEST_FAILED_AUTH_LIMIT,
      windowMs: e.INGEST_FAILED_AUTH_WINDOW_MS,
      blockMs: e.INGEST_FAILED_AUTH_BLOCK_MS,
    },
    logLevel: e.LOG_LEVEL,
  });
}
