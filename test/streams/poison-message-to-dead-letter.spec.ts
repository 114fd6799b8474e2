import { AutoOffsetReset, ErrorPolicy, type StreamingClient } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Undecodable messages and messages whose handler throws go to the dead-letter topic with provenance
// headers; the messages after them are processed and the consumer keeps running.
describe('poison messages', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('go to the DLQ with provenance, and consumption continues', async () => {
    client = testClient();
    const topic = uniqueName('t-poison');
    const producer = await client.getTopicProducer(topic);
    const stream = producer.getOrCreateStream('meter-1');
    stream.timeseries.buffer.addTimestamp(1).addValue('n', 1).publish();
    await stream.flush();

    // Written by a foreign producer: not our wire format at all, and one with a bad codec.
    const raw = new Kafka({ clientId: 'raw', brokers: testEnv.brokers, logLevel: logLevel.NOTHING }).producer();
    await raw.connect();
    await raw.send({
      topic,
      messages: [
        { key: 'meter-1', value: 'not json at all' },
        { key: 'meter-1', value: '{}', headers: { 'sb-model': 'event', 'sb-codec': 'xml/9' } },
      ],
    });
    await raw.disconnect();

    stream.timeseries.buffer.addTimestamp(2).addValue('n', 2).publish(); // the handler throws on this one
    stream.timeseries.buffer.addTimestamp(3).addValue('n', 3).publish();
    await stream.flush();
    stream.timeseries.buffer.addTimestamp(4).addValue('n', 4).publish();
    await stream.flush();

    const seen: number[] = [];
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Earliest,
      onError: ErrorPolicy.DeadLetter,
    });
    consumer.onStreamReceived((s) =>
      s.timeseries.onDataReceived((d) => {
        for (const r of d.rows()) if (r.numeric('n') === 2) throw new Error('cannot handle 2');
        for (const r of d.rows()) seen.push(r.numeric('n') as number);
      }),
    );
    await consumer.subscribe();
    await eventually(() => expect(seen).toEqual([1, 4]));

    const dlq: { value: string; headers: Record<string, string> }[] = [];
    const dlqConsumer = new Kafka({ clientId: 'dlq', brokers: testEnv.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: uniqueName('g-dlq'),
    });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        dlq.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    try {
      await eventually(() => expect(dlq).toHaveLength(3));
    } finally {
      await dlqConsumer.disconnect();
    }
    expect(dlq.map((m) => m.headers['sb-dlq-source-topic'])).toEqual([topic, topic, topic]);
    expect(dlq.map((m) => m.headers['sb-dlq-source-offset'])).toEqual(['1', '2', '3']);
    expect(dlq[0].headers['sb-dlq-error']).toMatch(/^decode: unsupported codec "\(missing\)"/);
    expect(dlq[0].value).toBe('not json at all');
    expect(dlq[1].headers['sb-dlq-error']).toMatch(/unsupported codec "xml\/9"/);
    expect(dlq[2].headers['sb-dlq-error']).toMatch(/cannot handle 2/);
    expect(dlq[2].headers['sb-model']).toBe('timeseries'); // original headers kept
    for (const m of dlq) expect(m.headers['sb-dlq-source-partition']).toMatch(/^[01]$/);
  });
});
