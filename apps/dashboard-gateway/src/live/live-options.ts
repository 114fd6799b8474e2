import { ID_PATTERN, MIN_SECRET_BYTES } from '@switchboard/domain';
import type { KafkaClientSettings } from '@switchboard/service';
import { DEFAULT_HEARTBEAT_MS } from '@switchboard/streams';
import type { Pool } from 'pg';
import { z } from 'zod';

/** The bounds of the live state and of each client; every one has a default (README.md "Bounds"). */
export interface LiveLimits {
  /** Batching: frames go out at most once per tick (ms). */
  tickMs: number;
  /**
   * Rows per channel (tombstones included) but `queues`; new ids beyond it are refused (subscribers told), known ones
   * keep updating.
   */
  maxRowsPerChannel: number;
  /**
   * Rows of one tenant's `queues` channel (windows, gauges, agents; tombstones included); a new row beyond it takes
   * the place of the tenant's row changed least recently (subscribers told), never another tenant's.
   */
  maxQueueRowsPerTenant: number;
  /** A gauge or agent row of `queues` that has not changed for this long leaves the channel (its next change brings it back). */
  queueIdleMs: number;
  /** Row changes per channel kept for resume and for deltas. */
  ringSize: number;
  /** Frames per subscription sent and not yet acknowledged; beyond it updates wait and conflate. */
  maxInFlightFrames: number;
  /** A frame not acknowledged within this is a dead client: it is disconnected (and may reconnect and resume). */
  ackTimeoutMs: number;
  /** Subscriptions per socket. */
  maxSubscriptions: number;
  /**
   * Meter and energy channels one tenant holds on this gateway; beyond it the tenant's idle one is let go, or the
   * subscribe refused (`too_many_channels`) — never another tenant's.
   */
  maxMeterChannelsPerTenant: number;
  /** A meter channel without subscribers is dropped after this. */
  meterIdleMs: number;
  /** Queue windows (window_start) younger than this are in `queues`. */
  queueHorizonMs: number;
  /** Meter windows younger than this are in `meter:<id>`. */
  meterHorizonMs: number;
  /** Resolved alerts (resolved_at) younger than this stay in `alerts`; firing ones always do. */
  alertHorizonMs: number;
  /** At start, metrics.updates and alerts are re-read from this long ago (gauges appear from it). */
  gaugeWarmupMs: number;
  /** The heartbeat interval of service status publishers (unresponsive after 3 missed). */
  heartbeatMs: number;
  /** Client messages per socket per second (token bucket). */
  messagesPerSecond: number;
  /** Rows read from each table at start, at most. */
  maxFillRows: number;
  /** Open sockets of one token on this gateway (a wall screen and a few browser tabs need a handful). */
  maxSocketsPerToken: number;
  /** Open sockets of one tenant on this gateway, so one tenant cannot take every connection. */
  maxSocketsPerTenant: number;
}

/** How the live module's client reaches the cluster besides `brokers` (the app's KafkaConnection fits). */
export type LiveKafkaSecurity = Omit<KafkaClientSettings, 'brokers'>;

export interface LiveModuleOptions {
  brokers: string[];
  /** TLS, SASL, the client id prefix and the topic policy (default: plaintext, no prefix, topics created). */
  kafka?: LiveKafkaSecurity;
  pool: Pool;
  /** Topics become `<namespace>.metrics.updates` … like SWITCHBOARD_TOPIC_NAMESPACE. */
  topicNamespace?: string;
  /** The dashboard token secret (≥ 32 bytes). */
  tokenSecret: string;
  /** socket.io path (default `/socket.io`). */
  path?: string;
  /** Names this instance's consumer group (default `<host>-<pid>`); a random suffix makes it unique per start. */
  instanceId?: string;
  /** Partitions of the topics when the gateway has to create them (default 2). */
  topicPartitions?: number;
  /**
   * The `lag` channel: consumer lag per partition of the aggregator's groups (`<groupPrefix>.*` in the checkpoint
   * table `<tablePrefix>offsets`), computed every `intervalMs` (default 5000). Without it `lag` is `unavailable`.
   */
  consumerLag?: { groupPrefix: string; tablePrefix?: string; intervalMs?: number };
  /** When set, the operational channels (`services`, `lag`) are for operator tokens of this tenant only. */
  operatorTenant?: string;
  limits?: Partial<LiveLimits>;
}

export const DEFAULT_LAG_INTERVAL_MS = 5000;

export const DEFAULT_LIVE_LIMITS: Readonly<LiveLimits> = Object.freeze({
  tickMs: 100,
  maxRowsPerChannel: 20_000,
  maxQueueRowsPerTenant: 20_000,
  queueIdleMs: 24 * 3600_000,
  ringSize: 4096,
  maxInFlightFrames: 2,
  ackTimeoutMs: 30_000,
  maxSubscriptions: 16,
  maxMeterChannelsPerTenant: 200,
  meterIdleMs: 60_000,
  queueHorizonMs: 60 * 60_000,
  meterHorizonMs: 24 * 3600_000,
  alertHorizonMs: 24 * 3600_000,
  gaugeWarmupMs: 15 * 60_000,
  heartbeatMs: DEFAULT_HEARTBEAT_MS,
  messagesPerSecond: 20,
  maxFillRows: 100_000,
  maxSocketsPerToken: 20,
  maxSocketsPerTenant: 500,
});

const positive = z.number().int().positive();
const limitsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_LIVE_LIMITS).map((k) => [k, positive.optional()])) as Record<
    keyof LiveLimits,
    z.ZodOptional<typeof positive>
  >,
);

const optionsSchema = z.object({
  brokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'must be "host:port"')).min(1),
  pool: z.custom<Pool>((p) => typeof (p as Pool | undefined)?.query === 'function', 'must be a pg Pool'),
  topicNamespace: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  tokenSecret: z.string().refine((s) => Buffer.byteLength(s) >= MIN_SECRET_BYTES, {
    message: `must be at least ${MIN_SECRET_BYTES} bytes`,
  }),
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]*$/, 'must start with "/"')
    .optional(),
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  topicPartitions: positive.optional(),
  consumerLag: z
    .strictObject({
      groupPrefix: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1–200 of A–Z a–z 0–9 . _ -'),
      tablePrefix: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,39}$/, 'must be a plain lower-case identifier such as "streams_"')
        .optional(),
      intervalMs: z.number().int().min(100, 'must be at least 100 ms').optional(),
    })
    .optional(),
  operatorTenant: z.string().regex(ID_PATTERN, 'must be a tenant id').optional(),
  limits: limitsSchema.optional(),
});

export interface ResolvedLiveOptions {
  brokers: string[];
  kafka: LiveKafkaSecurity;
  pool: Pool;
  topicNamespace: string | undefined;
  tokenSecret: string;
  path: string;
  instanceId: string;
  topicPartitions: number;
  consumerLag: { groupPrefix: string; tablePrefix: string; intervalMs: number } | undefined;
  operatorTenant: string | undefined;
  limits: LiveLimits;
}

/** Validates the options once (a sentence per bad field) and fills the defaults; the result is frozen. */
export function resolveLiveOptions(options: LiveModuleOptions, defaultInstanceId: string): ResolvedLiveOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new Error(`LiveModule.forRoot: ${issues}`);
  }
  const o = parsed.data;
  return Object.freeze({
    brokers: o.brokers,
    // Checked where it was made (loadKafkaConnection) and again by the streams library.
    kafka: options.kafka ?? { clientIdPrefix: '', topics: 'create' as const },
    pool: options.pool,
    topicNamespace: o.topicNamespace,
    tokenSecret: o.tokenSecret,
    path: o.path ?? '/socket.io',
    instanceId: o.instanceId ?? defaultInstanceId,
    topicPartitions: o.topicPartitions ?? 2,
    consumerLag: o.consumerLag && {
      groupPrefix: o.consumerLag.groupPrefix,
      tablePrefix: o.consumerLag.tablePrefix ?? 'streams_',
      intervalMs: o.consumerLag.intervalMs ?? DEFAULT_LAG_INTERVAL_MS,
    },
    operatorTenant: o.operatorTenant,
    limits: Object.freeze({ ...DEFAULT_LIVE_LIMITS, ...stripUndefined(o.limits ?? {}) }),
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
