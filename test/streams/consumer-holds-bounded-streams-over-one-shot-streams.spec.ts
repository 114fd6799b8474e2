import { AutoOffsetReset, StreamEndType, type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Ingest never ends a call's stream (one stream per call id), so a consumer of events.calls used to hold every
// call it ever saw. Over thousands of one-shot streams on a real broker, the consumer holds at most
// maxOpenStreams at any batch, lets the rest go once idle for streamTtlMs, ends each evicted stream Terminated for
// its handlers, counts every eviction, and takes a stream that comes back as a new one.
describe('a consumer over many one-shot streams that never end', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('holds at most maxOpenStreams, evicts idle ones, and counts every eviction', async () => {
    client = testClient();
    const topic = uniqueName('t-oneshot');
    const producer = await client.getTopicProducer(topic);
    const calls = 3000;
    for (let i = 0; i < calls; i++)
      producer.getOrCreateStream(`call-${i}`).events.addTimestamp(i).addValue('call.started', '{}').publish();
    await producer.flush();

    const received = new Map<string, number>();
    const ends = new Map<StreamEndType, number>();
    let evictedInEvents = 0;
    let mostHeld = 0;
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Earliest,
      maxOpenStreams: 200,
      streamTtlMs: 1500,
    });
    consumer.onStreamReceived((s) => {
      received.set(s.streamId, (received.get(s.streamId) ?? 0) + 1);
      s.onStreamClosed((end) => ends.set(end, (ends.get(end) ?? 0) + 1));
    });
    consumer.on('batch', () => {
      mostHeld = Math.max(mostHeld, consumer.streamStats.open, consumer.openStreams().length);
    });
    consumer.on('streams-evicted', (e) => {
      evictedInEvents += e.streamIds.length;
    });
    await consumer.subscribe();

    await eventually(() => expect(received.size).toBe(calls));
    expect(mostHeld).toBeLessThanOrEqual(200);
    expect(mostHeld).toBeGreaterThan(0);
    // quiet for the TTL: nothing is held any more, and every stream was evicted once, idle or over the cap
    await eventually(() => expect(consumer.streamStats.open).toBe(0), 15_000);
    const { evicted } = consumer.streamStats;
    expect(evicted.limit).toBeGreaterThanOrEqual(calls - 200);
    expect(evicted.idle + evicted.limit).toBe(calls);
    expect(evictedInEvents).toBe(calls);
    expect(ends.get(StreamEndType.Terminated)).toBe(calls);

    // a stream that comes back after its eviction is a new stream
    producer.getOrCreateStream('call-7').events.addTimestamp(9999).addValue('call.answered', '{}').publish();
    await producer.flush();
    await eventually(() => expect(received.get('call-7')).toBe(2));
    expect(consumer.streamStats.open).toBe(1);
  });
});
