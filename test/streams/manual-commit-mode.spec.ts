import { AutoOffsetReset, CommitMode, type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// In manual mode nothing is committed until commit(): a member that closes without committing hands
// the same messages to the next one; after commit(), only later messages are delivered again.
describe('manual commit mode', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('commits only on commit(), and only what handlers finished', async () => {
    client = testClient();
    const topic = uniqueName('t-manual');
    const group = uniqueName('g');
    const producer = await client.getTopicProducer(topic);
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++)
        producer
          .getOrCreateStream(`s-${i % 3}`)
          .events.addTimestamp(i)
          .addValue('n', String(i))
          .publish();
      await producer.flush();
    };
    const run = async () => {
      const seen: number[] = [];
      const consumer = await client.getTopicConsumer(topic, {
        consumerGroup: group,
        autoOffsetReset: AutoOffsetReset.Earliest,
        commit: { mode: CommitMode.Manual },
      });
      consumer.onStreamReceived((s) => s.events.onDataReceived((e) => void seen.push(Number(e.value))));
      await consumer.subscribe();
      return { consumer, seen };
    };

    await publish(0, 10);
    const first = await run();
    await eventually(() => expect(first.seen).toHaveLength(10));
    await first.consumer.close(); // no commit()

    const second = await run();
    await eventually(() => expect(second.seen).toHaveLength(10)); // everything again
    await second.consumer.commit();
    await publish(10, 15);
    await eventually(() => expect(second.seen).toHaveLength(15));
    await second.consumer.close(); // 10..14 processed but not committed

    const third = await run();
    await eventually(() => expect(third.seen).toHaveLength(5));
    expect(third.seen.sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14]);
    await third.consumer.close();
  });
});
