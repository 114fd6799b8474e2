import type { WireMessage } from '../core/model/codec';
import type { MessageSender } from '../port';
import { PublishQueue } from './publish-queue';
import { TopicProducer } from './topic-producer';

/** A sender that records requests; `gate` lets a test hold a request in flight. */
class RecordingSender implements MessageSender {
  readonly requests: { topic: string; keys: string[] }[][] = [];
  failNext: Error | undefined;
  async send(batch: { topic: string; messages: WireMessage[] }[]): Promise<void> {
    this.requests.push(batch.map((b) => ({ topic: b.topic, keys: b.messages.map((m) => m.key) })));
    await new Promise((r) => setTimeout(r, 5));
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
  }
  async close(): Promise<void> {}
}

describe('PublishQueue', () => {
  it('sends everything published by many streams of many topics in one tick as one request', async () => {
    const sender = new RecordingSender();
    const queue = new PublishQueue(sender);
    const calls = new TopicProducer('calls', queue);
    const meters = new TopicProducer('meters', queue);
    for (let i = 0; i < 50; i++) {
      meters.getOrCreateStream(`m-${i}`).timeseries.buffer.addTimestamp(i).addValue('energyWh', i).publish();
      calls.getOrCreateStream(`c-${i}`).events.addTimestamp(i).addValue('call.started', '{}').publish();
    }
    await Promise.all([calls.flush(), meters.flush()]);
    expect(sender.requests).toHaveLength(1);
    expect(new Map(sender.requests[0].map((t) => [t.topic, t.keys.length]))).toEqual(
      new Map([
        ['meters', 50],
        ['calls', 50],
      ]),
    );
  });

  it('packs the rows a stream publishes in one tick into one message', async () => {
    const sender = new RecordingSender();
    const producer = new TopicProducer('meters', new PublishQueue(sender));
    const s = producer.getOrCreateStream('m-1');
    for (let i = 0; i < 100; i++) s.timeseries.buffer.addTimestamp(i).addValue('energyWh', i).publish();
    await s.flush();
    expect(sender.requests.flat().flatMap((t) => t.keys)).toEqual(['m-1']);
  });

  it('releases by packet size; packets wait while a request is in flight, then leave in order', async () => {
    const sender = new RecordingSender();
    const producer = new TopicProducer('meters', new PublishQueue(sender));
    const s = producer.getOrCreateStream('m-1');
    s.timeseries.buffer.packetSize = 10;
    for (let i = 0; i < 35; i++) s.timeseries.buffer.addTimestamp(i).addValue('n', i).publish();
    const first = s.flush(); // 3 full packets + the last 5 rows, all in this tick: one request
    await new Promise((r) => setImmediate(r));
    for (let i = 35; i < 45; i++) s.timeseries.buffer.addTimestamp(i).addValue('n', i).publish(); // while in flight
    await Promise.all([first, s.flush()]);
    expect(sender.requests.map((r) => r[0].keys.length)).toEqual([4, 1]);
  });

  it('splits a request that would exceed the size cap', async () => {
    const sender = new RecordingSender();
    const producer = new TopicProducer('meters', new PublishQueue(sender, { maxRequestBytes: 2000 }));
    for (let i = 0; i < 40; i++)
      producer.getOrCreateStream(`m-${i}`).events.addTimestamp(i).addValue('x', 'y'.repeat(100)).publish();
    await producer.flush();
    expect(sender.requests.length).toBeGreaterThan(1);
    expect(sender.requests.flat().flatMap((t) => t.keys)).toEqual(Array.from({ length: 40 }, (_, i) => `m-${i}`));
  });

  it('rejects flush() of the streams whose request failed, once', async () => {
    const sender = new RecordingSender();
    const producer = new TopicProducer('meters', new PublishQueue(sender));
    const s = producer.getOrCreateStream('m-1');
    sender.failNext = new Error('broker away');
    s.events.addTimestamp(1).addValue('x', '1').publish();
    await expect(s.flush()).rejects.toThrow('broker away');
    s.events.addTimestamp(2).addValue('x', '2').publish();
    await expect(s.flush()).resolves.toBeUndefined();
  });
});
