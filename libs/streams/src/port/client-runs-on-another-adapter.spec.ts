import { StreamingClient } from '../client';
import { MemoryLog, memoryPort } from './memory-port.spec-support';

// The port is all the library needs from a Kafka client: a client built on another adapter (here an in-memory log
// of one partition per topic, no kafkajs) produces streams, consumes them in a group and reads partitions from an
// offset — with no other change.
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
