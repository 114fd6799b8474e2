import { CheckpointStore } from './checkpoint-store';
import { type OutboxMessage, OutboxRelay } from './outbox-relay';
import { eventually, specTables } from './spec-helpers';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the outbox relay publishes in order, at least once, one instance at a time', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  const relays: OutboxRelay[] = [];
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await env.close();
  });

  let epoch = 0;
  let offset = 0;
  /** One checkpoint carrying outbox rows `v-from` … `v-(to-1)`. */
  async function checkpointRows(from: number, to: number): Promise<void> {
    if (epoch === 0) epoch = (await store.acquire(env.group, env.topic, 0, 'writer')).epoch;
    const outbox = [];
    for (let i = from; i < to; i++)
      outbox.push({
        topic: i % 2 ? 'odd' : 'even',
        key: `k${i % 3}`,
        headers: { seq: String(i) },
        value: Buffer.from(`v-${i}`),
      });
    offset += to - from;
    await store.commit({
      group: env.group,
      partitions: [{ topic: env.topic, partition: 0, epoch, nextOffset: offset }],
      outbox,
    });
  }

  function relay(name: string, sent: { relay: string; batch: OutboxMessage[] }[], failures: { left: number }) {
    const r = new OutboxRelay({
      pool: env.pool,
      tablePrefix: env.prefix,
      batchSize: 7,
      pollIntervalMs: 5_000, // long: progress here comes from NOTIFY, and the lock retry of the standby
      retryMs: 50,
      logger: quiet,
      send: async (batch) => {
        if (failures.left > 0) {
          failures.left--;
          throw new Error('broker unavailable');
        }
        sent.push({ relay: name, batch });
      },
    });
    relays.push(r);
    return r;
  }

  const unsent = async () =>
    (await env.pool.query(`SELECT count(*)::int AS n FROM ${env.tables.outbox} WHERE sent_at IS NULL`)).rows[0].n;

  it('resends after a failed send, keeps id order, and only the lock holder publishes until it stops', async () => {
    const sent: { relay: string; batch: OutboxMessage[] }[] = [];
    const failures = { left: 1 };
    await checkpointRows(0, 20); // written before any relay runs: picked up at start

    const a = relay('a', sent, failures);
    a.start();
    await eventually(() => a.isLeader);
    const b = relay('b', sent, failures);
    b.start();

    await eventually(async () => (await unsent()) === 0);
    await checkpointRows(20, 45); // woken by NOTIFY, well before the 5 s poll
    await checkpointRows(45, 50);
    await eventually(async () => (await unsent()) === 0, 3_000);

    expect(failures.left).toBe(0); // the first send failed …
    const published = sent.flatMap((s) => s.batch);
    // … and its rows were sent again: every row once (no failure after a send resolved), in id order.
    expect(published.map((m) => m.value?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `v-${i}`));
    expect(published.map((m) => BigInt(m.id))).toEqual(
      published.map((m) => BigInt(m.id)).sort((x, y) => (x < y ? -1 : 1)),
    );
    expect(published[3]).toMatchObject({ topic: 'odd', key: 'k0', headers: { seq: '3' } });
    expect(new Set(sent.map((s) => s.relay))).toEqual(new Set(['a']));
    expect(Math.max(...sent.map((s) => s.batch.length))).toBeLessThanOrEqual(7);
    expect(b.isLeader).toBe(false);

    // The leader stops: the standby takes the lock and carries on, still in order.
    await a.stop();
    await eventually(() => b.isLeader, 10_000);
    await checkpointRows(50, 60);
    await eventually(async () => (await unsent()) === 0, 3_000);
    const after = sent.flatMap((s) => s.batch).slice(50);
    expect(after.map((m) => m.value?.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `v-${50 + i}`));
    expect(new Set(sent.slice(-2).map((s) => s.relay))).toEqual(new Set(['b']));
  });

  it('sends a batch again when the relay dies between send and marking it sent', async () => {
    await Promise.all(relays.map((r) => r.stop()));
    const sent: { relay: string; batch: OutboxMessage[] }[] = [];
    await checkpointRows(60, 63);
    // The send resolves but the row is never marked: the connection is gone before the UPDATE.
    let crash = true;
    const dying = new OutboxRelay({
      pool: env.pool,
      tablePrefix: env.prefix,
      pollIntervalMs: 5_000,
      retryMs: 50,
      logger: quiet,
      send: async (batch) => {
        sent.push({ relay: 'dying', batch });
        if (crash) {
          crash = false;
          throw new Error('acknowledged, then the process died'); // nothing marked, as after a crash
        }
      },
    });
    relays.push(dying);
    dying.start();
    await eventually(async () => (await unsent()) === 0);
    await dying.stop();
    expect(sent.map((s) => s.batch.map((m) => m.value?.toString()))).toEqual([
      ['v-60', 'v-61', 'v-62'],
      ['v-60', 'v-61', 'v-62'],
    ]);
  });
});
