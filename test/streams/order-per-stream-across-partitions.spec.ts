import { AutoOffsetReset, type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Many streams spread over the topic's 2 partitions; each stream's rows and events arrive in the order
// they were published, whatever the interleaving between streams.
describe('order per stream across two partitions', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('delivers every stream in publish order', async () => {
    client = testClient();
    const topic = uniqueName('t-order');
    const producer = await client.getTopicProducer(topic);
    const ids = Array.from({ length: 12 }, (_, i) => `meter-${i}`);
    const perStream = 60;
    for (let seq = 0; seq < perStream; seq++) {
      for (const id of ids) {
        const s = producer.getOrCreateStream(id);
        s.timeseries.buffer
          .addTimestamp(1_700_000_000_000 + seq)
          .addValue('seq', seq)
          .publish();
        if (seq % 10 === 0)
          s.events
            .addTimestamp(1_700_000_000_000 + seq)
            .addValue('mark', String(seq))
            .publish();
      }
      if (seq % 7 === 0) await new Promise((r) => setImmediate(r)); // several packets per stream
    }
    await producer.flush();

    const seen = new Map<string, { rows: number[]; marks: number[]; partition: number }>();
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Earliest,
    });
    consumer.onStreamReceived((s) => {
      const entry = { rows: [] as number[], marks: [] as number[], partition: s.partition };
      seen.set(s.streamId, entry);
      s.timeseries.onDataReceived((data) => {
        for (const row of data.rows()) entry.rows.push(row.numeric('seq') as number);
      });
      s.events.onDataReceived((e) => void entry.marks.push(Number(e.value)));
    });
    await consumer.subscribe();

    await eventually(() =>
      expect([...seen.values()].reduce((n, e) => n + e.rows.length, 0)).toBe(ids.length * perStream),
    );
    for (const id of ids) {
      expect(seen.get(id)?.rows).toEqual(Array.from({ length: perStream }, (_, i) => i));
      expect(seen.get(id)?.marks).toEqual([0, 10, 20, 30, 40, 50]);
    }
    expect(new Set([...seen.values()].map((e) => e.partition))).toEqual(new Set([0, 1]));
  });
});
