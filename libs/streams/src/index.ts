export {
  type PartitionFeed,
  type ReadFrom,
  type ReadPartitionsOptions,
  StreamingClient,
  type StreamingClientOptions,
  type TopicPolicy,
} from './client';
export { type BackoffOptions, backoffDelay, interruptibleSleep } from './core/backoff';
export {
  StreamsAccessError,
  StreamsClosedError,
  StreamsConfigError,
  StreamsDecodeError,
  StreamsError,
  StreamsHandlerError,
  StreamsPublishError,
  StreamsTopicMissingError,
  StreamsValidationError,
} from './core/errors';
export type { StreamsLogger } from './core/logger';
export {
  CODEC_HEADER,
  CODEC_VERSION,
  decode,
  encode,
  MODEL_HEADER,
  type StreamMessage,
  type WireMessage,
} from './core/model/codec';
export type { EventData } from './core/model/event-data';
export { StreamEndType } from './core/model/stream-end-type';
export type { StreamPropertiesData } from './core/model/stream-properties';
export { TimeseriesData, TimeseriesRow } from './core/model/timeseries-data';
export { Outage, type OutageStatus } from './core/outage';
export * from './core/processing';
export * from './core/state';
export { kafkajsPort, kafkaLogCreator } from './kafka';
export * from './lifecycle';
export * from './port';
export {
  type Acquired,
  type CheckpointBatch,
  CheckpointStore,
  type CheckpointStoreOptions,
  type CommitResult,
  type OutboxRecord,
  type PartitionCheckpoint,
} from './postgres/checkpoint-store';
export { FencedError } from './postgres/errors';
export {
  type OutboxMessage,
  OutboxRelay,
  type OutboxRelayEvents,
  type OutboxRelayOptions,
  type OutboxRelayStatus,
  type OutboxTableSize,
} from './postgres/outbox-relay';
export { guardPool } from './postgres/pool-guard';
export {
  createStreamsSchema,
  DEFAULT_TABLE_PREFIX,
  dropStreamsSchema,
  type StreamsTables,
  streamsSchemaSql,
  streamsTables,
} from './postgres/schema';
export {
  keyedSnapshotFromState,
  keyedStoreChanges,
  type StoreChanges,
  type StoredState,
  windowSnapshotFromState,
  windowStoreChanges,
} from './postgres/state-codec';
export * from './processor';
export { AutoOffsetReset, CommitMode, ErrorPolicy, type TopicConsumerOptions } from './streams/consumer-options';
export { EventDataBuilder, EventsProducer } from './streams/events-producer';
export {
  DEFAULT_MAX_OPEN_STREAMS,
  DEFAULT_STREAM_TTL_MS,
  type EvictionReason,
  type OpenStreamStats,
} from './streams/open-streams';
export { PARTITION_KEY_HEADER } from './streams/partition-key';
export { StreamConsumer, StreamPropertiesView, type TypedRow } from './streams/stream-consumer';
export { StreamProducer, type StreamProducerOptions, StreamPropertiesProducer } from './streams/stream-producer';
export { TimeseriesBuffer, TimeseriesRowBuilder } from './streams/timeseries-producer';
export { type ConsumerEvents, TopicConsumer } from './streams/topic-consumer';
export { TopicProducer } from './streams/topic-producer';
