import { DEFAULT_MAX_FUTURE_MS, DEFAULT_MAX_PAST_MS, restatementHorizonMs } from '@switchboard/domain';
import {
  CONNECTION_ENV_KEYS,
  connectionsOf,
  type DatabaseConnection,
  type KafkaConnection,
  sharedEnv,
} from '@switchboard/service';
import { z } from 'zod';
import { DEFAULT_MAX_CALL_AGE_MS } from './calls/call-expiry';

const int = (min: number) => z.coerce.number().int().min(min);

/** The environment the aggregator reads, validated once at start; the rest of the app takes the typed object. */
const envSchema = z.object({
  AGGREGATOR_PORT: int(0).max(65_535).default(3001),
  AGGREGATOR_HOST: z.string().min(1).default('127.0.0.1'),
  INSTANCE_ID: z.string().min(1).optional(),
  /** How long after its end a window still accepts events (event time). */
  AGGREGATOR_GRACE_MS: int(0).default(60_000),
  SWITCHBOARD_TOPIC_NAMESPACE: sharedEnv.SWITCHBOARD_TOPIC_NAMESPACE,
  /** A partition quiet this long follows the wall clock, so quiet entities' windows close on time. */
  AGGREGATOR_IDLE_MS: int(100).default(10_000),
  AGGREGATOR_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('aggregator'),
  STREAMS_TABLE_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('streams_'),
  AGGREGATOR_MODE: z.enum(['live', 'replay']).default('live'),
  /** A started call without call.ended this long after its start (stream time) is dropped (README: call age). */
  AGGREGATOR_MAX_CALL_AGE_MS: int(60_000).default(DEFAULT_MAX_CALL_AGE_MS),
  /**
   * Ingest's accepted past and future, read here too so "accepted" always means "counted": a final window stays
   * restatable for as long as ingest may still accept an event for it (restatementHorizonMs).
   */
  INGEST_MAX_PAST_MS: int(0).default(DEFAULT_MAX_PAST_MS),
  INGEST_MAX_FUTURE_MS: int(0).default(DEFAULT_MAX_FUTURE_MS),
  /** Published outbox rows are deleted this long after they were sent (unsent rows never are). */
  AGGREGATOR_OUTBOX_RETAIN_MS: int(0).default(15 * 60_000),
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
});

/** Every variable the aggregator reads (deployment files are checked against it: test/deploy). */
export const AGGREGATOR_ENV_KEYS: readonly string[] = [...Object.keys(envSchema.shape), ...CONNECTION_ENV_KEYS];

/** Checks between fields: each says what to set instead. */
const configSchema = envSchema.superRefine((e, ctx) => {
  if (e.AGGREGATOR_MAX_CALL_AGE_MS <= e.AGGREGATOR_GRACE_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['AGGREGATOR_MAX_CALL_AGE_MS'],
      message: `must be longer than AGGREGATOR_GRACE_MS (${e.AGGREGATOR_GRACE_MS}): a call must not expire while its start could still be corrected; raise it or lower the grace`,
    });
  }
});

export interface AggregatorConfig {
  http: { port: number; host: string };
  instanceId: string | undefined;
  database: DatabaseConnection;
  kafka: KafkaConnection;
  /** Topics are `<namespace>.<topic>` when set. */
  topicNamespace: string | undefined;
  graceMs: number;
  idleMs: number;
  groupPrefix: string;
  tablePrefix: string;
  mode: 'live' | 'replay';
  /** A started call without an end this long after its start (stream time) expires. */
  maxCallAgeMs: number;
  /** A final window takes late events (restates) for this long after its close, in stream time (README: Late data). */
  restateForMs: number;
  /** Sent outbox rows are deleted this long after they were sent. */
  outboxRetainMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {}

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const parsed = configSchema.safeParse(env);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const connections = connectionsOf(env, issues);
  if (!parsed.success || !connections) throw new ConfigError(`invalid aggregator configuration: ${issues.join('; ')}`);
  const e = parsed.data;
  return Object.freeze({
    http: { port: e.AGGREGATOR_PORT, host: e.AGGREGATOR_HOST },
    instanceId: e.INSTANCE_ID,
    database: connections.database,
    kafka: connections.kafka,
    topicNamespace: e.SWITCHBOARD_TOPIC_NAMESPACE,
    graceMs: e.AGGREGATOR_GRACE_MS,
    idleMs: e.AGGREGATOR_IDLE_MS,
    groupPrefix: e.AGGREGATOR_GROUP_PREFIX,
    tablePrefix: e.STREAMS_TABLE_PREFIX,
    mode: e.AGGREGATOR_MODE,
    maxCallAgeMs: e.AGGREGATOR_MAX_CALL_AGE_MS,
    restateForMs: restatementHorizonMs(
      { maxPastMs: e.INGEST_MAX_PAST_MS, maxFutureMs: e.INGEST_MAX_FUTURE_MS },
      e.AGGREGATOR_GRACE_MS,
    ),
    outboxRetainMs: e.AGGREGATOR_OUTBOX_RETAIN_MS,
    logLevel: e.LOG_LEVEL,
  });
}
