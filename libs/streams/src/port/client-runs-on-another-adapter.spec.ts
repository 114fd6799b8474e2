import { StreamingClient } from '../client';
import type { ConsumedRecord, GroupMember, GroupMemberHooks, KafkaPort, OffsetRange, TopicAdmin } from './kafka-port';

// The port is all the library needs from a Kafka client: a client built on another adapter (here an in-memory log
// of one partition per topic, no kafkajs) produces streams, consumes them in a group and reads partitions from an
// offset — with no other change.
class MemoryLog {
  readonly topics = new Map<string, ConsumedRecord[]>();
  append(topic: string, r: Omit<ConsumedRecord, 'offset' | 'timestamp'>): void {
    const log = this.topics.get(topic) ?? [];
    log.push({ ...r, offset: String(log.length), timestamp: String(Date.now()) });
    this.topics.set(topic, log);
  }
}

function memoryPort(log: MemoryLog): KafkaPort {
  const range = (t: string): Map<number, OffsetRange> =>
    new Map([[0, { start: 0n, end: BigInt(log.topics.get(t)?.length ?? 0) }]]);
  const admin: TopicAdmin = {
    ensureTopic: async (t) => void log.topics.set(t, log.topics.get(t) ?? []),
    topicExists: async (t) => log.topics.has(t),
    offsetRanges: async (t) => range(t),
    offsetsAtTime: async (t) => new Map([[0, range(t).get(0)?.end ?? 0n]]),
    partitionsWithoutCommit: async () => [],
    describeGroupsStartingWith: async () => [],
    deleteGroups: async () => undefined,
    describeCluster: async () => ({ brokers: 1, controller: 0 }),
    close: async () => undefined,
  };
  return {
    admin,
    sender: {
      send: async (batch) => {
        for (const { topic, messages } of batch)
          for (const m of messages)
            log.append(topic, { key: m.key === null ? null : Buffer.from(m.key), value: m.value, headers: m.headers });
      },
      close: async () => undefined,
    },
    groupMember(options, hooks: GroupMemberHooks): GroupMember {
      let done = -1;
      return {
        topic: options.topic,
        start: async () => {
          await hooks.onAssigned?.([0]);
          hooks.onJoined?.([0]);
          const records = log.topics.get(options.topic) ?? [];
          await hooks.onBatch(0, records, {
            done: (o) => {
              done = Number(o);
            },
            heartbeat: async () => undefined,
            stopping: () => false,
            lag: () => 0,
          });
        },
        uncommitted: () => (done < 0 ? [] : [{ partition: 0, offset: String(done + 1) }]),
        commit: async (offsets) => offsets ?? [],
        pause: () => undefined,
        resume: () => undefined,
        rewind: () => undefined,
        assignedPartitions: () => [0],
        drain: async () => undefined,
        close: async () => undefined,
      };
    },
    partitionReader: (o) => ({
      start: async () => {
        for (const topic of o.topics) {
          const from = Number(o.start.get(topic)?.get(0) ?? 0n);
          await o.onBatch(topic, 0, (log.topics.get(topic) ?? []).slice(from));
        }
      },
      positioned: Promise.resolve(),
      close: async () => undefined,
    }),
  };
}

describe('a StreamingClient on another Kafka adapter', () => {
  it('produces, consumes in a group and reads partitions through the port alone', async () => {
    const log = new MemoryLog();
    const client = new StreamingClient({ brokers: ['memory:0'], clientId: 'memory', kafka: () => memoryPort(log) });
    const producer = await client.getTopicProducer('meters');
    const meter = producer.getOrCreateStream('meter-1');
    meter.timeseries.buffer.addTimestamp(1000).addValue('energyWh', 5).publish();
    await meter.flush();
    meter.timeseries.buffer.addTimestamp(2000).addValue('energyWh', 7).publish();
    await meter.flush();
    expect(log.topics.get('meters')?.length).toBe(2); // one message per turn of the event loop

    const seen: number[] = [];
    const consumer = await client.getTopicConsumer('meters', { consumerGroup: 'g' });
    consumer.onStreamReceived((s) =>
      s.timeseries.onDataReceived((d) => {
        for (const row of d.rows()) seen.push(row.numeric('energyWh') ?? Number.NaN);
      }),
    );
    await consumer.subscribe();
    expect(seen).toEqual([5, 7]);

    const offsets: string[] = [];
    const feed = await client.readPartitions({
      name: 'memory-reader',
      topics: [{ topic: 'meters', from: new Map([[0, 1n]]) }],
      onBatch: (_t, _p, records) => void offsets.push(...records.map((r) => r.offset)),
    });
    expect(feed.ranges.get('meters')?.get(0)?.start).toBe(1n);
    expect(offsets).toEqual(['1']);
    await client.close();
    await client.close(); // a second close waits for the first
  });
});
