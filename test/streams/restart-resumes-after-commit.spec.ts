import { AutoOffsetReset, type StreamingClient, StreamsConfigError, type TopicProducer } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// autoOffsetReset: an existing group resumes after its last commit; a new `latest` group skips history;
// `error` refuses to start a group that never committed.
describe('restart and offset reset', () => {
  let client: StreamingClient;
  let topic: string;
  let producer: TopicProducer;
  beforeEach(async () => {
    client = testClient();
    topic = uniqueName('t-restart');
    producer = await client.getTopicProducer(topic);
  });
  afterEach(() => client.close());

  const publish = async (from: number, to: number) => {
    for (let i = from; i < to; i++)
      producer
        .getOrCreateStream(`meter-${i % 4}`)
        .timeseries.buffer.addTimestamp(i)
        .addValue('n', i)
        .publish();
    await producer.flush();
  };

  const consume = async (group: string, reset: AutoOffsetReset) => {
    const seen: number[] = [];
    const consumer = await client.getTopicConsumer(topic, { consumerGroup: group, autoOffsetReset: reset });
    consumer.onStreamReceived((s) =>
      s.timeseries.onDataReceived((d) => {
        for (const r of d.rows()) seen.push(r.numeric('n') as number);
      }),
    );
    await consumer.subscribe();
    return { consumer, seen };
  };

  it('an earliest group restarted resumes after its last commit', async () => {
    const group = uniqueName('g');
    await publish(0, 40);
    const first = await consume(group, AutoOffsetReset.Earliest);
    await eventually(() => expect(first.seen).toHaveLength(40));
    await first.consumer.close(); // commits on close

    await publish(40, 60);
    const second = await consume(group, AutoOffsetReset.Earliest);
    await eventually(() => expect(second.seen).toHaveLength(20));
    expect(second.seen.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => 40 + i));
  });

  it('a new latest group skips history and gets only what comes after it joined', async () => {
    await publish(0, 30);
    const latest = await consume(uniqueName('g'), AutoOffsetReset.Latest);
    await eventually(
      async () => {
        // Publish until the member has its assignment and positions at the end; only then is "after" defined.
        await publish(1000, 1001);
        expect(latest.seen).toContain(1000);
      },
      30_000,
      500,
    );
    expect(latest.seen.every((n) => n >= 1000)).toBe(true);
  });

  it("an 'error' group without commits refuses to start, with a sentence that says what to do", async () => {
    await publish(0, 4);
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Error,
    });
    await expect(consumer.subscribe()).rejects.toThrow(StreamsConfigError);
    await expect(consumer.subscribe()).rejects.toThrow(/has no committed offset .* use 'earliest' or 'latest'/);
  });
});
