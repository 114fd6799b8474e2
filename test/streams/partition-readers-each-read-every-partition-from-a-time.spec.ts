import type { ConsumedRecord, PartitionFeed } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// client.readPartitions (the gateway's live feed): two readers of one topic each get every partition — no shared
// group — one from a time (the first record at or after it), one from the beginning; the start offsets and the ends
// are fixed when it resolves; records produced later arrive too; closing leaves nothing on the broker.
describe('StreamingClient.readPartitions', () => {
  const client = testClient('reader');
  const kafka = new Kafka({
    brokers: testEnv.brokers,
    clientId: uniqueName('reader-producer'),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  const feeds: PartitionFeed[] = [];

  afterAll(async () => {
    for (const f of feeds) await f.close();
    await producer.disconnect();
    await client.close();
  });

  it('reads every partition from a time or the beginning, in each reader, then live records', async () => {
    const topic = uniqueName('reader-topic');
    await client.ensureTopics([topic], { partitions: 2 });
    await producer.connect();
    const now = Date.now();
    const old = String(now - 3600_000);
    const recent = String(now - 60_000);
    const record = (partition: number, value: string, timestamp: string) => ({ partition, value, timestamp });
    await producer.send({
      topic,
      messages: [
        record(0, 'p0-old-1', old),
        record(0, 'p0-old-2', old),
        record(0, 'p0-old-3', old),
        record(0, 'p0-new-1', recent),
        record(0, 'p0-new-2', recent),
        record(1, 'p1-old-1', old),
        record(1, 'p1-new-1', recent),
        record(1, 'p1-new-2', recent),
      ],
    });

    const read = (into: Map<number, string[]>) => (_topic: string, partition: number, records: ConsumedRecord[]) => {
      const list = into.get(partition) ?? [];
      for (const r of records) list.push(String(r.value));
      into.set(partition, list);
    };
    const fromTime = new Map<number, string[]>();
    const fromStart = new Map<number, string[]>();
    const recentFeed = await client.readPartitions({
      name: uniqueName('reader-recent'),
      topics: [{ topic, from: { timestamp: now - 600_000 } }],
      onBatch: read(fromTime),
    });
    feeds.push(recentFeed);
    const allFeed = await client.readPartitions({
      name: uniqueName('reader-all'),
      topics: [{ topic, from: 'beginning' }],
      onBatch: read(fromStart),
    });
    feeds.push(allFeed);

    expect([...(recentFeed.ranges.get(topic) ?? [])].sort()).toEqual([
      [0, { start: 3n, end: 5n }],
      [1, { start: 1n, end: 3n }],
    ]);
    expect([...(allFeed.ranges.get(topic) ?? [])].sort()).toEqual([
      [0, { start: 0n, end: 5n }],
      [1, { start: 0n, end: 3n }],
    ]);
    await Promise.all([recentFeed.positioned, allFeed.positioned]);
    await eventually(() => {
      expect(fromTime.get(0)).toEqual(['p0-new-1', 'p0-new-2']);
      expect(fromTime.get(1)).toEqual(['p1-new-1', 'p1-new-2']);
      expect(fromStart.get(0)).toEqual(['p0-old-1', 'p0-old-2', 'p0-old-3', 'p0-new-1', 'p0-new-2']);
      expect(fromStart.get(1)).toEqual(['p1-old-1', 'p1-new-1', 'p1-new-2']);
    }, 30_000);

    await producer.send({ topic, messages: [record(1, 'p1-live', String(Date.now()))] });
    await eventually(() => {
      expect(fromTime.get(1)?.at(-1)).toBe('p1-live');
      expect(fromStart.get(1)?.at(-1)).toBe('p1-live');
    }, 30_000);
  }, 60_000);

  it('leaves nothing on the broker once closed', async () => {
    const topic = uniqueName('reader-close');
    await client.ensureTopics([topic], { partitions: 2 });
    const name = uniqueName('reader-gone');
    const feed = await client.readPartitions({ name, topics: [{ topic, from: 'end' }], onBatch: () => undefined });
    await feed.positioned;
    expect(await client.describeConsumerGroups(name)).toEqual([{ groupId: name, state: 'Stable', members: 1 }]);
    await feed.close();
    await eventually(async () => expect(await client.describeConsumerGroups(name)).toEqual([]), 15_000, 250);
  }, 30_000);

  it('gives the offset ranges of the topics that exist, leaving out the others', async () => {
    const topic = uniqueName('reader-ranges');
    await client.ensureTopics([topic], { partitions: 2 });
    const ranges = await client.offsetRangesOf([topic, uniqueName('reader-missing')]);
    expect([...ranges.keys()]).toEqual([topic]);
    expect([...(ranges.get(topic) ?? [])].sort()).toEqual([
      [0, { start: 0n, end: 0n }],
      [1, { start: 0n, end: 0n }],
    ]);
  });
});
