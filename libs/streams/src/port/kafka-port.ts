import type { StreamsLogger } from '../core/logger';

/**
 * The Kafka port: everything the library (client, consumers, processors, relay, status publisher) needs from a
 * Kafka client, and nothing of any client's own types. `src/kafka` implements it with kafkajs; another client
 * (e.g. `@platformatic/kafka`) is another folder implementing these interfaces, chosen with
 * `StreamingClientOptions.kafka`.
 */

/** Record headers as a client hands them over (strings or bytes, a list for a repeated header). */
export interface RecordHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** One record read from a partition. */
export interface ConsumedRecord {
  key?: Buffer | null;
  value: Buffer | null;
  /** The record's offset, as a decimal string (offsets are 64-bit). */
  offset: string;
  /** Epoch ms, as a decimal string. */
  timestamp: string;
  headers?: RecordHeaders;
}

/** A message to produce: our wire format's messages, or any other (outbox rows, dead letters). */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Explicit partition; default: Kafka's murmur2 of the key (or of the `sb-partition-key` header). */
  partition?: number;
}

/** The producer side: send many messages of many topics in one request. */
export interface MessageSender {
  /** Resolves once the broker acknowledged every message (acks from all in-sync replicas). */
  send(batch: { topic: string; messages: OutgoingMessage[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  partitions: number;
  /** -1: the broker's `default.replication.factor`. */
  replicationFactor: number;
  /** Topic config entries set at creation (e.g. `cleanup.policy: compact`); default: the broker's. */
  config?: Readonly<Record<string, string>>;
}

/** Where a partition's log starts and ends now: a reader from the beginning gets the records [start, end). */
export interface OffsetRange {
  start: bigint;
  end: bigint;
}

/** A consumer group as the broker describes it: its state (`Empty`, `Stable`, …) and its live members now. */
export interface ConsumerGroupSummary {
  groupId: string;
  state: string;
  members: number;
}

/** Topics, offsets and groups. Connects on first use; a failed connect is tried again by the next call. */
export interface TopicAdmin {
  /** Creates the topic when missing; an existing topic is left as it is. */
  ensureTopic(topic: string, spec: TopicSpec): Promise<void>;
  /** Forgets that the topic exists (a reader of it failed: it may be gone), so ensureTopic asks the cluster again. */
  forget?(topic: string): void;
  /** Whether the topic exists (asks the cluster; does not create it). */
  topicExists(topic: string): Promise<boolean>;
  /** The first and the end offset of each partition of the topic. */
  offsetRanges(topic: string): Promise<Map<number, OffsetRange>>;
  /** Per partition, the first offset whose record's timestamp is ≥ `timestamp` (the end offset when none is). */
  offsetsAtTime(topic: string, timestamp: number): Promise<Map<number, bigint>>;
  /** Partitions of the topic that the group has never committed an offset for. */
  partitionsWithoutCommit(groupId: string, topic: string): Promise<number[]>;
  /** The consumer groups whose id starts with `prefix` (sorted by id). */
  describeGroupsStartingWith(prefix: string): Promise<ConsumerGroupSummary[]>;
  /**
   * Removes consumer groups (their committed offsets). A group that no longer exists counts as removed; one with
   * members is refused (StreamsError).
   */
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  /** Rejects (StreamsError, retriable) when no broker answers within the timeout. */
  describeCluster(timeoutMs: number): Promise<{ brokers: number; controller: number | null }>;
  close(): Promise<void>;
}

/** What a batch handler may do while it runs. */
export interface BatchContext {
  /** The message with this offset (and all before it) finished. */
  done(offset: string): void;
  /** Keeps the membership alive inside a long batch; may hold the batch while a rebalance saves work. */
  heartbeat(): Promise<void>;
  /** Stop early: the member is closing or the batch is stale. */
  stopping(): boolean;
  /** Messages of the partition after this batch. */
  lag(): number;
}

/** What a member of a consumer group is told about its partitions and their messages. */
export interface GroupMemberHooks {
  /**
   * New partitions are ours. Resolve with where each should start (the next offset to read; null or
   * absent = Kafka's committed position). Batches of a partition wait for this.
   */
  onAssigned?(partitions: number[]): Promise<Map<number, string | null> | undefined> | undefined;
  /**
   * A rebalance starts; the partitions are still ours: finish and save what is done. The member holds the
   * handover until this resolves (bounded by half the session timeout).
   */
  onRevoking?(): Promise<void>;
  /** These partitions went to another member. */
  onRevoked?(partitions: number[]): void;
  /** The group settled (after every join): these are all our partitions now. */
  onJoined?(partitions: number[]): void;
  /**
   * A batch of one partition, in offset order. Call `done(offset)` for each message whose processing
   * finished (in order); `heartbeat()` between long stretches; stop early when `stopping()` says so.
   */
  onBatch(partition: number, messages: ConsumedRecord[], ctx: BatchContext): Promise<void>;
  onCrash?(error: Error): void;
}

export interface GroupMemberOptions {
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
}

/** One member of a consumer group on one topic: manual offsets, positions from the caller, awaited hooks. */
export interface GroupMember {
  readonly topic: string;
  /** Joins the group and starts fetching; resolves once it runs (before the first batch). */
  start(): Promise<void>;
  /** Next offsets of finished messages not yet committed to Kafka. */
  uncommitted(): { partition: number; offset: string }[];
  /** Commits the given (or all finished) offsets to Kafka; resolves with what it committed. */
  commit(offsets?: { partition: number; offset: string }[]): Promise<{ partition: number; offset: string }[]>;
  /** Stops fetching every partition of the topic, present and future, while staying in the group. */
  pause(): void;
  resume(): void;
  /** Reads the partitions again from the given next offsets. */
  rewind(positions: ReadonlyMap<number, string>): void;
  assignedPartitions(): number[];
  /** Stops taking batches and waits for running ones; still in the group (commit now). */
  drain(): Promise<void>;
  /** Leaves the group. */
  close(): Promise<void>;
}

export interface PartitionReaderOptions {
  /** Names the reader (client id, and the private group of an adapter that needs one); unique per reader. */
  name: string;
  topics: readonly string[];
  /** Per topic, per partition, the first offset to read. Partitions not given start at their end. */
  start: ReadonlyMap<string, ReadonlyMap<number, bigint>>;
  /** A batch of one partition, in offset order; the next batch of that partition waits for it. */
  onBatch(topic: string, partition: number, records: ConsumedRecord[]): Promise<void> | void;
  /** How long a fetch waits for new records (default 1000 ms). */
  maxWaitMs?: number;
  /**
   * The reader stopped by itself (its client gave up: Kafka away past its retries, a batch that kept failing) and
   * reads nothing more. It does not restart itself: close it and read again from the positions reached.
   */
  onFailed?(error: Error): void;
}

/**
 * Reads every partition of some topics, outside any shared consumer group: each reader gets everything (a
 * gateway instance serving its own clients). Nothing is committed for others to see.
 */
export interface PartitionReader {
  /** Connects and starts fetching; resolves once it runs. */
  start(): Promise<void>;
  /** Resolves once every partition was given its start offset (the first batches follow). */
  readonly positioned: Promise<void>;
  /** Stops fetching and removes what the reader left on the broker. */
  close(): Promise<void>;
}

/** One Kafka client as the library uses it. */
export interface KafkaPort {
  readonly admin: TopicAdmin;
  /** The client's one idempotent producer (acks=-1). */
  readonly sender: MessageSender;
  groupMember(options: GroupMemberOptions, hooks: GroupMemberHooks): GroupMember;
  partitionReader(options: PartitionReaderOptions): PartitionReader;
}

/**
 * TLS to the brokers (Kafka's `SSL` and `SASL_SSL` protocols): the Node `tls` options that matter for Kafka, PEM
 * text or buffers. `ca` replaces the system's trusted CAs; `cert` + `key` are the client's own (mutual TLS).
 */
export interface KafkaTlsOptions {
  ca?: string | Buffer | readonly (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The key's passphrase, when it is encrypted. */
  passphrase?: string;
  /** Default true: a broker certificate no trusted CA signed is refused. */
  rejectUnauthorized?: boolean;
}

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** SASL authentication (Kafka's `SASL_PLAINTEXT` and `SASL_SSL` protocols). */
export interface KafkaSaslOptions {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

/** How a client reaches and authenticates to the cluster, besides the broker addresses. */
export interface KafkaSecurityOptions {
  /** TLS to the brokers: `true` for the system's CAs, or options. Unset: plaintext. */
  ssl?: boolean | KafkaTlsOptions;
  /** SASL credentials; unset: no authentication (or only the client certificate). */
  sasl?: KafkaSaslOptions;
}

export interface KafkaPortOptions extends KafkaSecurityOptions {
  brokers: string[];
  clientId: string;
  logger: StreamsLogger;
  /** Connection and request retries before a call fails (default 5). */
  retries?: number;
  /** How long a publish waits for the acknowledgement of all in-sync replicas (default 30 s). */
  ackTimeoutMs?: number;
}

/** Builds a client adapter: `kafkajsPort` (src/kafka) by default. */
export type KafkaPortFactory = (options: KafkaPortOptions) => KafkaPort;

/** Header values as strings (a repeated header joined with commas). */
export function headersToStrings(headers: RecordHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}
