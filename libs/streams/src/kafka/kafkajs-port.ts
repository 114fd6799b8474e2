import type { Kafka } from 'kafkajs';
import type {
  GroupMember,
  GroupMemberHooks,
  GroupMemberOptions,
  KafkaPort,
  KafkaPortFactory,
  KafkaPortOptions,
  PartitionReader,
  PartitionReaderOptions,
} from '../port';
import { AccessFailures, createKafka } from './connection';
import { KafkajsGroupMember } from './group-member';
import { KafkaMessageSender } from './kafka-sender';
import { KafkajsPartitionReader } from './partition-reader';
import { KafkaTopicAdmin } from './topic-admin';

/** The library's Kafka port over one kafkajs client: one admin, one idempotent producer, members and readers. */
class KafkajsPort implements KafkaPort {
  readonly admin: KafkaTopicAdmin;
  readonly sender: KafkaMessageSender;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaPortOptions,
    failures: AccessFailures,
  ) {
    this.admin = new KafkaTopicAdmin(kafka, failures);
    this.sender = new KafkaMessageSender(kafka, { ackTimeoutMs: options.ackTimeoutMs });
  }

  groupMember(options: GroupMemberOptions, hooks: GroupMemberHooks): GroupMember {
    return new KafkajsGroupMember(this.kafka, options, hooks, this.options.logger);
  }

  partitionReader(options: PartitionReaderOptions): PartitionReader {
    return new KafkajsPartitionReader(this.kafka, this.admin, options);
  }
}

/** The default adapter (`StreamingClientOptions.kafka`): kafkajs, its log lines through the client's logger. */
export const kafkajsPort: KafkaPortFactory = (options) => {
  const failures = new AccessFailures();
  const kafka = createKafka({
    brokers: options.brokers,
    clientId: options.clientId,
    logger: options.logger,
    retries: options.retries,
    ssl: options.ssl,
    sasl: options.sasl,
    failures,
  });
  return new KafkajsPort(kafka, options, failures);
};
