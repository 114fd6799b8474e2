import { AutoOffsetReset, StreamEndType, type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Closed, Aborted and Terminated each reach the consumer; a stream still open when the consumer shuts
// down is reported Terminated.
describe('stream end types', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('delivers each end type, and Terminated for streams open at consumer close', async () => {
    client = testClient();
    const topic = uniqueName('t-end');
    const producer = await client.getTopicProducer(topic);
    for (const [id, end] of [
      ['call-closed', StreamEndType.Closed],
      ['call-aborted', StreamEndType.Aborted],
      ['call-terminated', StreamEndType.Terminated],
    ] as const) {
      const s = producer.getOrCreateStream(id);
      s.events.addTimestamp(1).addValue('call.started', '{}').publish();
      await s.close(end);
    }
    const open = producer.getOrCreateStream('call-open');
    open.events.addTimestamp(1).addValue('call.started', '{}').publish();
    await open.flush();

    const ends = new Map<string, StreamEndType>();
    const received: string[] = [];
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Earliest,
    });
    consumer.onStreamReceived((s) => {
      received.push(s.streamId);
      s.onStreamClosed((end) => void ends.set(s.streamId, end));
    });
    await consumer.subscribe();
    await eventually(() => expect(received).toHaveLength(4));
    await eventually(() => expect(ends.size).toBe(3));
    expect(consumer.openStreams().map((s) => s.streamId)).toEqual(['call-open']);

    await consumer.close();
    expect(Object.fromEntries(ends)).toEqual({
      'call-closed': StreamEndType.Closed,
      'call-aborted': StreamEndType.Aborted,
      'call-terminated': StreamEndType.Terminated,
      'call-open': StreamEndType.Terminated,
    });
  });
});
