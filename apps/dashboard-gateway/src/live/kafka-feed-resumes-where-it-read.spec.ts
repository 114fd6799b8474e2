import type { ConsumedRecord, ReadPartitionsOptions, StreamingClient } from '@switchboard/streams';
import { KafkaFeed } from './kafka-feed';
import { DEFAULT_LIVE_LIMITS } from './live-options';
import { LiveState } from './live-state';

/** A client whose partition readers are recorded: two partitions a topic, each log [10, 20) at start. */
function fakeClient() {
  const reads: ReadPartitionsOptions[] = [];
  const client = {
    ensureTopics: async () => undefined,
    readPartitions: async (options: ReadPartitionsOptions) => {
      reads.push(options);
      const range = (p: number) => {
        const from = options.topics[0].from;
        const start = from instanceof Map ? (from.get(p) as bigint) : 10n;
        return { start, end: start };
      };
      const ranges = new Map(options.topics.map(({ topic }) => [topic, new Map([0, 1].map((p) => [p, range(p)]))]));
      return { ranges, positioned: Promise.resolve(), close: async () => undefined };
    },
  } as unknown as StreamingClient;
  return { client, reads };
}

const record = (offset: number): ConsumedRecord =>
  ({ key: null, value: Buffer.from('not an update'), offset: String(offset), timestamp: '0', headers: {} }) as never;

describe('the live feed after its reader failed', () => {
  it('reads again from the next offset of every partition it had read, the first start offset of the others', async () => {
    const { client, reads } = fakeClient();
    const failures: Error[] = [];
    const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const state = new LiveState('e', DEFAULT_LIVE_LIMITS, async () => []);
    const feed = new KafkaFeed(
      {
        topicNamespace: 'ns',
        instanceId: 'i',
        topicPartitions: 2,
        warmupMs: 60_000,
        catchUpTimeoutMs: 1000,
        onFailed: (e) => failures.push(e),
      },
      state,
      logger,
      client,
    );
    await feed.start();
    expect(reads[0].topics.map((t) => t.from)).toEqual([
      { timestamp: expect.any(Number) },
      { timestamp: expect.any(Number) },
      'beginning',
    ]);
    expect(feed.running).toBe(true);
    await reads[0].onBatch('ns.metrics.updates', 1, [record(10), record(11)]);

    reads[0].onFailed?.(new Error('the client gave up'));
    expect(feed.running).toBe(false);
    expect(failures.map((e) => e.message)).toEqual(['the client gave up']);

    await feed.stop();
    await feed.start();
    const updates = reads[1].topics.find((t) => t.topic === 'ns.metrics.updates')?.from;
    expect(updates).toEqual(
      new Map([
        [0, 10n],
        [1, 12n],
      ]),
    );
    expect(feed.running).toBe(true);
    // A failure of the reader that was replaced is not this feed's any more.
    reads[0].onFailed?.(new Error('late'));
    expect(feed.running).toBe(true);
    expect(failures).toHaveLength(1);
  });
});
