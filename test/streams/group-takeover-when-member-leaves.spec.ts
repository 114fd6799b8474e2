import { AutoOffsetReset, CommitMode, type StreamingClient, type TopicConsumer } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Two members share the topic's partitions. When one joins, the first member's streams of the moved
// partition are revoked; when it leaves, the other receives all streams, and nothing is lost.
describe('a second consumer in the group', () => {
  const clients: StreamingClient[] = [];
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  it('takes over streams when the first leaves: revoked, then received', async () => {
    const producerClient = testClient('p');
    clients.push(producerClient);
    const topic = uniqueName('t-takeover');
    const group = uniqueName('g');
    const producer = await producerClient.getTopicProducer(topic);
    const ids = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    const publish = async (round: number) => {
      for (const id of ids)
        producer.getOrCreateStream(id).events.addTimestamp(round).addValue('agent.status', String(round)).publish();
      await producer.flush();
    };

    type Member = { consumer: TopicConsumer; received: Map<string, number[]>; revoked: string[] };
    const join = async (): Promise<Member> => {
      const c = testClient('c');
      clients.push(c);
      const consumer = await c.getTopicConsumer(topic, {
        consumerGroup: group,
        autoOffsetReset: AutoOffsetReset.Earliest,
        commit: { mode: CommitMode.Automatic, everyMessages: 1 },
      });
      const m: Member = { consumer, received: new Map(), revoked: [] };
      consumer.onStreamReceived((s) => {
        const rounds: number[] = [];
        m.received.set(s.streamId, rounds);
        s.events.onDataReceived((e) => void rounds.push(Number(e.value)));
      });
      consumer.onStreamsRevoked((streams) => m.revoked.push(...streams.map((s) => s.streamId)));
      await consumer.subscribe();
      return m;
    };

    const a = await join();
    await publish(1);
    await eventually(() => expect(a.received.size).toBe(ids.length));

    const b = await join();
    await eventually(() => expect(a.revoked.length).toBeGreaterThan(0));
    await publish(2);
    const has = (m: Member, id: string, round: number) => m.received.get(id)?.includes(round) ?? false;
    await eventually(() => expect(ids.filter((id) => has(a, id, 2) || has(b, id, 2))).toEqual(ids));
    // Each stream went to exactly one member, and b got what a lost.
    const movedToB = ids.filter((id) => has(b, id, 2));
    expect(ids.filter((id) => has(a, id, 2) && has(b, id, 2))).toEqual([]);
    expect(movedToB.length).toBeGreaterThan(0);
    expect(new Set(a.revoked)).toEqual(new Set(movedToB));

    await a.consumer.close();
    await publish(3);
    await eventually(() => expect(ids.filter((id) => has(b, id, 3))).toEqual(ids), 45_000);
    // Nothing of round 2 is delivered twice after the takeover: a committed what it had processed.
    for (const id of ids) expect(b.received.get(id)?.filter((r) => r === 2).length ?? 0).toBeLessThanOrEqual(1);
  }, 90_000);
});
