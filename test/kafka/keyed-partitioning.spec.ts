import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';

// Proves on the real broker what the stream model rests on: a topic of 2 partitions, a key always lands in
// one partition, in the order written, and that partition is the one Kafka's Java producer picks.
const root = join(__dirname, '..', '..');

function javaPartitions(keys: string[], partitions: number): Map<string, number> {
  const out = execFileSync(
    'java',
    [
      '-cp',
      join(root, 'tools/kafka/lib/*'),
      join(root, 'test/support/JavaPartitioner.java'),
      String(partitions),
      ...keys,
    ],
    {
      encoding: 'utf8',
    },
  );
  return new Map(
    out
      .trim()
      .split('\n')
      .map((line) => {
        const [key, p] = line.split('\t');
        return [key, Number(p)] as const;
      }),
  );
}

describe('keyed messages on a 2-partition topic (real broker)', () => {
  const kafka = new Kafka({ clientId: 'foundation-test', brokers: testEnv.brokers, logLevel: logLevel.NOTHING });
  const topic = uniqueName('t-keyed');
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the topic with 2 partitions', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(2);
  });

  it('keeps order per key and places each key where the Java default partitioner does', async () => {
    const keys = ['meter-42', 'call-1', 'agent:7', 'queue.sales', 'a', 'Zz-9', 'tenant-acme:meter-0001', 'ü-non-ascii'];
    const perKey = 25;
    const messages = [];
    for (let seq = 0; seq < perKey; seq++) {
      for (const key of keys) messages.push({ key, value: String(seq) });
    }
    await producer.send({ topic, acks: -1, messages });

    const seen = new Map<string, { partition: number; seqs: number[] }>();
    consumer = kafka.consumer({ groupId: uniqueName('g-keyed') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      let count = 0;
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const key = message.key!.toString();
          const entry = seen.get(key) ?? { partition, seqs: [] };
          expect(entry.partition).toBe(partition); // one key, one partition
          entry.seqs.push(Number(message.value!.toString()));
          seen.set(key, entry);
          if (++count === messages.length) resolve();
        },
      });
    });
    await done;

    const expected = javaPartitions(keys, 2);
    for (const key of keys) {
      expect(seen.get(key)?.seqs).toEqual(Array.from({ length: perKey }, (_, i) => i));
      expect({ key, partition: seen.get(key)?.partition }).toEqual({ key, partition: expected.get(key) });
    }
    // Both partitions are used by this key set, so the check above is not vacuous.
    expect(new Set([...seen.values()].map((v) => v.partition)).size).toBe(2);
  });
});
