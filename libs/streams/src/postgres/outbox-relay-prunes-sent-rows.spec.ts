import { CheckpointStore } from './checkpoint-store';
import { OutboxRelay } from './outbox-relay';
import { eventually, specTables } from './spec-helpers';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the outbox relay prunes what it sent', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  let relay: OutboxRelay | undefined;
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
  });
  afterAll(async () => {
    await relay?.stop();
    await env.close();
  });

  let epoch = 0;
  let offset = 0;
  async function checkpointRows(n: number): Promise<void> {
    if (epoch === 0) epoch = (await store.acquire(env.group, env.topic, 0, 'writer')).epoch;
    offset += n;
    await store.commit({
      group: env.group,
      partitions: [{ topic: env.topic, partition: 0, epoch, nextOffset: offset }],
      outbox: Array.from({ length: n }, (_, i) => ({ topic: 't', key: `k${i}`, headers: {}, value: Buffer.from('v') })),
    });
  }
  const counts = async () =>
    (
      await env.pool.query<{ sent: number; unsent: number }>(
        `SELECT count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent
           FROM ${env.tables.outbox}`,
      )
    ).rows[0];

  it('deletes sent rows past the retention in batches, keeps younger ones and never an unsent row', async () => {
    const refuse = { on: false };
    relay = new OutboxRelay({
      pool: env.pool,
      tablePrefix: env.prefix,
      batchSize: 100,
      pollIntervalMs: 50,
      retryMs: 50,
      retainSentMs: 400,
      pruneIntervalMs: 100,
      pruneBatchSize: 7, // many DELETEs per prune
      logger: quiet,
      send: async () => {
        if (refuse.on) throw new Error('broker unavailable');
      },
    });
    const pruned: number[] = [];
    relay.on('pruned', ({ rows }) => pruned.push(rows));
    relay.start();

    await checkpointRows(60);
    await eventually(async () => (await counts()).unsent === 0);
    // Sent a moment ago: inside the retention, still there.
    expect((await counts()).sent).toBe(60);
    await eventually(async () => (await counts()).sent === 0, 10_000);
    expect(pruned.reduce((a, b) => a + b, 0)).toBe(60);
    expect(relay.pruned).toBe(60);

    // Kafka away: the rows stay unsent, and unsent rows outlive any retention.
    refuse.on = true;
    await checkpointRows(5);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await counts()).toEqual({ sent: 0, unsent: 5 });
    expect(await relay.tableSize()).toEqual({ unsent: 5, bytes: expect.any(Number) });
    expect((await relay.tableSize()).bytes).toBeGreaterThan(0);
    refuse.on = false;
    await eventually(async () => (await counts()).unsent === 0);
  }, 30_000);

  it('refuses a negative retention', () => {
    expect(() => new OutboxRelay({ pool: env.pool, send: async () => undefined, retainSentMs: -1 })).toThrow(
      'retainSentMs must be 0 or more',
    );
  });
});
