import { CheckpointStore } from './checkpoint-store';
import { FencedError } from './errors';
import { specTables } from './spec-helpers';

describe('a checkpoint is atomic', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  let results: string;
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
    results = `${env.prefix}results`;
    await env.pool.query(`CREATE TABLE ${results} (key text PRIMARY KEY, value int NOT NULL)`);
  });
  afterAll(async () => {
    await env.pool.query(`DROP TABLE IF EXISTS ${results}`);
    await env.close();
  });

  const count = async (table: string) => (await env.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  it('writes nothing when the sink throws, rethrows its error, and the next checkpoint goes through', async () => {
    const { group, topic } = env;
    const { epoch } = await store.acquire(group, topic, 0, 'member-a');
    const batch = {
      group,
      partitions: [
        {
          topic,
          partition: 0,
          epoch,
          nextOffset: 100,
          state: { s: { meta: { m: 1 }, upserts: [['k', 1]] as [string, unknown][] } },
        },
      ],
      outbox: [{ topic: 'out', key: 'k', headers: { h: '1' }, value: Buffer.from('v') }],
    };
    const boom = new Error('sink failed half-way');
    await expect(
      store.commit({
        ...batch,
        sink: async (client) => {
          await client.query(`INSERT INTO ${results} (key, value) VALUES ('k', 1)`);
          throw boom;
        },
      }),
    ).rejects.toBe(boom);

    expect(await count(results)).toBe(0);
    expect(await count(env.tables.state)).toBe(0);
    expect(await count(env.tables.stateEntries)).toBe(0);
    expect(await count(env.tables.outbox)).toBe(0);
    const again = await store.acquire(group, topic, 0, 'member-a');
    expect(again.nextOffset).toBeNull();

    // The pool's client was returned clean: the same checkpoint with a working sink commits everything.
    await store.commit({
      ...batch,
      partitions: [{ ...batch.partitions[0], epoch: again.epoch }],
      sink: async (client) => {
        await client.query(`INSERT INTO ${results} (key, value) VALUES ('k', 1)`);
      },
    });
    expect(await count(results)).toBe(1);
    expect(await count(env.tables.state)).toBe(1);
    expect(await count(env.tables.stateEntries)).toBe(1);
    expect(await count(env.tables.outbox)).toBe(1);
    expect((await store.acquire(group, topic, 0, 'member-a')).nextOffset).toBe('100');
  });

  it('refuses a partition that was never acquired (fenced), writing nothing', async () => {
    const before = await count(env.tables.outbox);
    await expect(
      store.commit({
        group: env.group,
        partitions: [{ topic: env.topic, partition: 7, epoch: 1, nextOffset: 1 }],
        outbox: [{ topic: 'out', key: null, value: null }],
      }),
    ).rejects.toBeInstanceOf(FencedError);
    expect(await count(env.tables.outbox)).toBe(before);
  });
});
