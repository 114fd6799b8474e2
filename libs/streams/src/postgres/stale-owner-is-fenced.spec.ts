import type { PoolClient } from 'pg';
import { CheckpointStore } from './checkpoint-store';
import { FencedError } from './errors';
import { specTables } from './spec-helpers';

describe('a stale owner is fenced', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  let results: string;
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
    results = `${env.prefix}results`;
    await env.pool.query(
      `CREATE TABLE ${results} (key text PRIMARY KEY, value int NOT NULL, written_by text NOT NULL)`,
    );
  });
  afterAll(async () => {
    await env.pool.query(`DROP TABLE IF EXISTS ${results}`);
    await env.close();
  });

  const writeResult = (owner: string, value: number) => async (client: PoolClient) => {
    await client.query(
      `INSERT INTO ${results} (key, value, written_by) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, written_by = EXCLUDED.written_by`,
      [`k-${owner}`, value, owner],
    );
  };

  it("rolls back all of A's transaction once B acquired the partition, and B commits", async () => {
    const { group, topic } = env;
    const a = await store.acquire(group, topic, 0, 'member-a');
    const a1 = await store.acquire(group, topic, 1, 'member-a');
    await store.commit({
      group,
      partitions: [{ topic, partition: 0, epoch: a.epoch, nextOffset: 10 }],
      sink: writeResult('a', 10),
    });

    const b = await store.acquire(group, topic, 0, 'member-b');
    expect(b.epoch).toBe(a.epoch + 1);
    expect(b.nextOffset).toBe('10');

    const attempt = store.commit({
      group,
      partitions: [
        { topic, partition: 0, epoch: a.epoch, nextOffset: 20, state: { s: { meta: { n: 2 }, upserts: [['x', 2]] } } },
        { topic, partition: 1, epoch: a1.epoch, nextOffset: 5, state: { s: { meta: { n: 1 }, upserts: [['y', 1]] } } },
      ],
      outbox: [{ topic: 'out', key: 'x', value: Buffer.from('from a') }],
      sink: writeResult('a', 20),
    });
    await expect(attempt).rejects.toBeInstanceOf(FencedError);
    const err = (await attempt.catch((e) => e)) as FencedError;
    expect(err.retriable).toBe(false);
    expect(err.context).toMatchObject({ group, topic, partition: 0, epoch: a.epoch });

    // Nothing of A's transaction is visible: not its result row, its state, its outbox row, nor partition 1's offset.
    expect((await env.pool.query(`SELECT key, value, written_by FROM ${results}`)).rows).toEqual([
      { key: 'k-a', value: 10, written_by: 'a' },
    ]);
    expect((await env.pool.query(`SELECT count(*)::int AS n FROM ${env.tables.state}`)).rows[0].n).toBe(0);
    expect((await env.pool.query(`SELECT count(*)::int AS n FROM ${env.tables.stateEntries}`)).rows[0].n).toBe(0);
    expect((await env.pool.query(`SELECT count(*)::int AS n FROM ${env.tables.outbox}`)).rows[0].n).toBe(0);
    const offsets = await env.pool.query(
      `SELECT partition, next_offset FROM ${env.tables.offsets} WHERE consumer_group = $1 ORDER BY partition`,
      [group],
    );
    expect(offsets.rows).toEqual([
      { partition: 0, next_offset: '10' },
      { partition: 1, next_offset: null },
    ]);

    // The new owner commits with its own epoch.
    await store.commit({
      group,
      partitions: [{ topic, partition: 0, epoch: b.epoch, nextOffset: 30 }],
      sink: writeResult('b', 30),
    });
    const after = await store.acquire(group, topic, 0, 'member-a');
    expect(after.nextOffset).toBe('30');
  });
});
