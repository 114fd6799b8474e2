import { CheckpointStore } from './checkpoint-store';
import { specTables } from './spec-helpers';
import { windowSnapshotFromState, windowStoreChanges } from './state-codec';

describe('acquire increments the epoch and loads offsets and state', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
  });
  afterAll(() => env.close());

  it('starts a new partition at epoch 1 with no offset and no state', async () => {
    const a = await store.acquire(env.group, env.topic, 0, 'member-a');
    expect(a).toEqual({ epoch: 1, nextOffset: null, state: new Map() });
  });

  it('gives every later acquire a higher epoch and what the last commit wrote', async () => {
    const { group, topic } = env;
    const first = await store.acquire(group, topic, 1, 'member-a');
    await store.commit({
      group,
      partitions: [
        {
          topic,
          partition: 1,
          epoch: first.epoch,
          nextOffset: 42,
          state: {
            energy: windowStoreChanges({
              format: 'switchboard.windows/1',
              partition: 1,
              inputs: [[1, 1_700_000_065_000, -1]],
              late: 2,
              duplicates: 0,
              closedKeys: [],
              upserts: [
                ['meter-1', [[1_700_000_000_000, 1500, 2]]],
                ['meter-2', [[1_700_000_000_000, 7, 1]]],
              ],
              deletes: [],
            }),
          },
        },
      ],
    });
    const second = await store.acquire(group, topic, 1, 'member-b');
    expect(second.epoch).toBe(first.epoch + 1);
    expect(second.nextOffset).toBe('42');
    expect(windowSnapshotFromState(second.state.get('energy'))).toEqual({
      format: 'switchboard.windows/1',
      partition: 1,
      inputs: [[1, 1_700_000_065_000, -1]],
      late: 2,
      duplicates: 0,
      closedKeys: [],
      keys: [
        ['meter-1', [[1_700_000_000_000, 1500, 2]]],
        ['meter-2', [[1_700_000_000_000, 7, 1]]],
      ],
    });

    // A later checkpoint writes only what changed: meter-1 closed, meter-3 opened.
    await store.commit({
      group,
      partitions: [
        {
          topic,
          partition: 1,
          epoch: second.epoch,
          nextOffset: '50',
          state: {
            energy: {
              meta: { ...(second.state.get('energy')?.meta as object), late: 3 },
              upserts: [['meter-3', [[1, 1, 1]]]],
              deletes: ['meter-1'],
            },
          },
        },
      ],
    });
    const third = await store.acquire(group, topic, 1, 'member-a');
    expect(third.epoch).toBe(first.epoch + 2);
    expect(third.nextOffset).toBe('50');
    const energy = windowSnapshotFromState(third.state.get('energy'));
    expect(energy?.late).toBe(3);
    expect(energy?.keys.map(([k]) => k)).toEqual(['meter-2', 'meter-3']);

    const owner = await env.pool.query(
      `SELECT owner_id, owner_epoch FROM ${env.tables.offsets} WHERE consumer_group = $1 AND topic = $2 AND partition = 1`,
      [group, topic],
    );
    expect(owner.rows).toEqual([{ owner_id: 'member-a', owner_epoch: String(third.epoch) }]);
  });

  it('keeps partitions, topics and groups apart', async () => {
    const other = await store.acquire(`${env.group}-other`, env.topic, 1, 'member-c');
    expect(other).toEqual({ epoch: 1, nextOffset: null, state: new Map() });
  });
});
