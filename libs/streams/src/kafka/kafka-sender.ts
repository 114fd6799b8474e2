import { type ICustomPartitioner, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { StreamsPublishError } from '../core/errors';
import type { MessageSender, OutgoingMessage } from '../port';
import { PARTITION_KEY_HEADER } from '../streams/partition-key';

/**
 * Kafka's murmur2 partitioner (the Java client's), applied to the `sb-partition-key` header when a message has
 * one and to its key otherwise: messages with different keys that must meet in one partition (all rows of one
 * entity) keep their own keys.
 */
export const partitionKeyPartitioner: ICustomPartitioner = () => {
  const murmur2 = Partitioners.DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    const header = message.headers?.[PARTITION_KEY_HEADER];
    if (header === undefined) return murmur2({ topic, partitionMetadata, message });
    return murmur2({ topic, partitionMetadata, message: { ...message, key: String(header) } });
  };
};

/**
 * The idempotent kafkajs producer behind every topic producer of a client. acks=-1: a send resolves only
 * when all in-sync replicas have the messages. kafkajs never lingers; PublishQueue does the batching.
 */
export class KafkaMessageSender implements MessageSender {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: { ackTimeoutMs?: number } = {},
  ) {}

  private connect(): Promise<Producer> {
    this.connecting ??= (async () => {
      // The Java-compatible murmur2 partitioner, named explicitly: any Java or kafkajs producer agrees on a key's partition.
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        createPartitioner: partitionKeyPartitioner,
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((err) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  async send(batch: { topic: string; messages: OutgoingMessage[] }[]): Promise<void> {
    try {
      const producer = await this.connect();
      await producer.sendBatch({
        acks: -1,
        timeout: this.opts.ackTimeoutMs ?? 30_000,
        topicMessages: batch.map(({ topic, messages }) => ({
          topic,
          messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })),
        })),
      });
    } catch (err) {
      const e = err as Error & { retriable?: boolean };
      throw new StreamsPublishError(
        `Kafka did not acknowledge ${batch.reduce((n, b) => n + b.messages.length, 0)} messages: ${e.message}`,
        {
          retriable: e.retriable ?? true,
          context: { topics: batch.map((b) => b.topic) },
          cause: err,
        },
      );
    }
  }

  async close(): Promise<void> {
    if (this.connecting) await (await this.connecting.catch(() => undefined))?.disconnect();
    this.connecting = undefined;
    this.producer = undefined;
  }
}
