import type { Consumer, Kafka } from 'kafkajs';
import type { PartitionReader, PartitionReaderOptions, TopicAdmin } from '../port';
import { whileLeadersSettle } from './while-leaders-settle';

/**
 * Every partition of some topics, over kafkajs. kafkajs has no group-less consumer (no `assign()`), so the reader is
 * the one member of a private group named `options.name` (unique per reader): on joining it holds every partition,
 * and each partition is sought once to its start offset (after a rejoin the member goes on from the offsets kafkajs
 * committed to that group). The group is deleted on close. An adapter whose client can assign partitions needs no
 * group at all.
 *
 * A crash is reported (`onFailed`), never restarted here: a kafkajs restart would rejoin the private group and go
 * on from what it committed there, or from the log's end when the group is gone, skipping records unsaid. The owner
 * knows where it was and reads again from there.
 */
export class KafkajsPartitionReader implements PartitionReader {
  readonly positioned: Promise<void>;
  private markPositioned: () => void = () => undefined;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: TopicAdmin,
    private readonly opts: PartitionReaderOptions,
  ) {
    this.positioned = new Promise<void>((resolve) => {
      this.markPositioned = resolve;
    });
  }

  async start(): Promise<void> {
    const starts = new Map<string, string>();
    for (const [topic, partitions] of this.opts.start)
      for (const [partition, offset] of partitions) starts.set(`${topic}:${partition}`, offset.toString());
    const consumer = this.kafka.consumer({
      groupId: this.opts.name,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: this.opts.maxWaitMs ?? 1000,
      retry: { restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer === consumer) this.opts.onFailed?.(payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const offset = starts.get(`${topic}:${partition}`);
          if (offset === undefined) continue;
          starts.delete(`${topic}:${partition}`);
          consumer.seek({ topic, partition, offset });
        }
      }
      this.markPositioned();
    });
    await consumer.connect();
    await whileLeadersSettle(() => consumer.subscribe({ topics: [...this.opts.topics] }));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await this.opts.onBatch(batch.topic, batch.partition, batch.messages);
      },
    });
  }

  async close(): Promise<void> {
    this.markPositioned();
    if (!this.consumer) return;
    await this.consumer.disconnect();
    this.consumer = undefined;
    await this.admin.deleteGroups([this.opts.name]).catch(() => undefined);
  }
}
