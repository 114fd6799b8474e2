import { ID_PATTERN } from '@switchboard/domain';
import {
  CONNECTION_ENV_KEYS,
  connectionsOf,
  type DatabaseConnection,
  DEFAULT_DASHBOARD_GATEWAY_PORT,
  DEFAULT_DATA_DIR,
  dashboardPublicUrl,
  dashboardTokenSecret,
  type KafkaConnection,
  sharedEnv,
} from '@switchboard/service';
import { z } from 'zod';
import { DEFAULT_LAG_INTERVAL_MS, DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/live-options';

const int = (min: number) => z.coerce.number().int().min(min);

/** The tenant whose operator tokens read the services panel unless DASHBOARD_OPERATOR_TENANT names another. */
export const DEFAULT_OPERATOR_TENANT = 'operations';

/** The environment the gateway reads, validated once at start; everything below it takes the typed object. */
const envSchema = z.object({
  DASHBOARD_GATEWAY_PORT: int(0).max(65_535).default(DEFAULT_DASHBOARD_GATEWAY_PORT),
  DASHBOARD_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  SWITCHBOARD_TOPIC_NAMESPACE: sharedEnv.SWITCHBOARD_TOPIC_NAMESPACE,
  INSTANCE_ID: sharedEnv.INSTANCE_ID,
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
  DASHBOARD_GATEWAY_RATE_LIMIT: int(1).default(120),
  DASHBOARD_GATEWAY_RATE_WINDOW_MS: int(1).default(60_000),
  DASHBOARD_GATEWAY_MAX_CSV_ROWS: int(1).default(200_000),
  DASHBOARD_GATEWAY_STATEMENT_TIMEOUT_MS: int(1).default(15_000),
  // The aggregator's own variables (same names, same rules), so one environment describes both: the services
  // panel's consumer lag reads the checkpoints of its groups `<prefix>.*`.
  AGGREGATOR_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/)
    .default('aggregator'),
  STREAMS_TABLE_PREFIX: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,39}$/)
    .default('streams_'),
  DASHBOARD_GATEWAY_LAG_INTERVAL_MS: int(100).default(DEFAULT_LAG_INTERVAL_MS),
  // The deployment's operators, as a tenant of their own: the services panel shows the platform's hosts and groups,
  // which no customer tenant's operator should read by default.
  DASHBOARD_OPERATOR_TENANT: z.string().regex(ID_PATTERN, 'must be a tenant id').default(DEFAULT_OPERATOR_TENANT),
  // The live bounds per tenant (src/live/README.md "Guarantees and bounds"): one tenant's use never crowds out another's.
  DASHBOARD_GATEWAY_QUEUE_ROWS_PER_TENANT: int(1).default(DEFAULT_LIVE_LIMITS.maxQueueRowsPerTenant),
  DASHBOARD_GATEWAY_QUEUE_IDLE_MS: int(60_000).default(DEFAULT_LIVE_LIMITS.queueIdleMs),
  DASHBOARD_GATEWAY_METER_CHANNELS_PER_TENANT: int(1).default(DEFAULT_LIVE_LIMITS.maxMeterChannelsPerTenant),
});

/**
 * Every variable the gateway reads (deployment files are checked against it: test/deploy): the schema's, and the two
 * libs/service reads for it (the public URL and the token secret, shared with `switchboard tokens create`).
 */
export const GATEWAY_ENV_KEYS: readonly string[] = [
  ...Object.keys(envSchema.shape),
  ...CONNECTION_ENV_KEYS,
  'DASHBOARD_PUBLIC_URL',
  'DASHBOARD_TOKEN_SECRET',
];

export interface GatewayConfig {
  http: { port: number; host: string };
  /** Where users reach the dashboard (links printed by `switchboard tokens create`); no trailing slash. */
  publicUrl: string;
  /** This instance's name on service.status; default `<host>-<pid>`. */
  instanceId: string | undefined;
  database: DatabaseConnection;
  kafka: KafkaConnection & { topicNamespace?: string };
  /** The HMAC secret of dashboard tokens (DASHBOARD_TOKEN_SECRET or .data/dashboard-token.secret). */
  tokenSecret: string;
  /** Requests per token per window, per gateway instance. */
  rateLimit: { limit: number; windowMs: number };
  /** Rows one CSV export may carry; more is answered 413 (split the range). */
  maxCsvRows: number;
  /** Postgres cancels a billing query that runs longer. */
  statementTimeoutMs: number;
  /** Consumer lag of the aggregator's groups on the services panel, recomputed every `intervalMs`. */
  consumerLag: { groupPrefix: string; tablePrefix: string; intervalMs: number };
  /** Only operator tokens of this tenant read the services panel's channels (default `operations`). */
  operatorTenant: string;
  /** The live bounds per tenant the environment sets (the others keep the live module's defaults). */
  liveLimits: Pick<LiveLimits, 'maxQueueRowsPerTenant' | 'queueIdleMs' | 'maxMeterChannelsPerTenant'>;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid dashboard-gateway configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment; `dataDir` is where the token secret file lives when the env has none. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env, dataDir = DEFAULT_DATA_DIR): GatewayConfig {
  const parsed = envSchema.safeParse(env);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const connections = connectionsOf(env, issues);
  const attempt = <T>(name: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      issues.push(`${name}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const publicUrl = attempt('DASHBOARD_PUBLIC_URL', () => dashboardPublicUrl(env));
  const secret = attempt('DASHBOARD_TOKEN_SECRET', () => dashboardTokenSecret({ env, dataDir }).secret);
  if (!parsed.success || publicUrl === undefined || secret === undefined || !connections) throw new ConfigError(issues);
  const e = parsed.data;
  return Object.freeze({
    http: { port: e.DASHBOARD_GATEWAY_PORT, host: e.DASHBOARD_GATEWAY_HOST },
    publicUrl,
    instanceId: e.INSTANCE_ID,
    database: connections.database,
    kafka: { ...connections.kafka, topicNamespace: e.SWITCHBOARD_TOPIC_NAMESPACE },
    tokenSecret: secret,
    rateLimit: { limit: e.DASHBOARD_GATEWAY_RATE_LIMIT, windowMs: e.DASHBOARD_GATEWAY_RATE_WINDOW_MS },
    maxCsvRows: e.DASHBOARD_GATEWAY_MAX_CSV_ROWS,
    statementTimeoutMs: e.DASHBOARD_GATEWAY_STATEMENT_TIMEOUT_MS,
    consumerLag: {
      groupPrefix: e.AGGREGATOR_GROUP_PREFIX,
      tablePrefix: e.STREAMS_TABLE_PREFIX,
      intervalMs: e.DASHBOARD_GATEWAY_LAG_INTERVAL_MS,
    },
    operatorTenant: e.DASHBOARD_OPERATOR_TENANT,
    liveLimits: {
      maxQueueRowsPerTenant: e.DASHBOARD_GATEWAY_QUEUE_ROWS_PER_TENANT,
      queueIdleMs: e.DASHBOARD_GATEWAY_QUEUE_IDLE_MS,
      maxMeterChannelsPerTenant: e.DASHBOARD_GATEWAY_METER_CHANNELS_PER_TENANT,
    },
    logLevel: e.LOG_LEVEL,
  });
}
