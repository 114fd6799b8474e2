import { sum } from '../core/processing/aggregators';
import type { StreamRecord, WindowRow } from '../core/processing/record';
import { WindowedAggregation } from '../core/processing/windowed-aggregation';
import { tumbling } from '../core/processing/windows';
import { windowState } from '../processor/window-state';
import { CheckpointStore } from './checkpoint-store';
import { specTables } from './spec-helpers';

const rec = (key: string, timestamp: number, value: number): StreamRecord<number> => ({
  key,
  value,
  timestamp,
  partition: 0,
});

describe('closed windows kept for restatement, checkpointed in Postgres', () => {
  let env: Awaited<ReturnType<typeof specTables>>;
  let store: CheckpointStore;
  beforeAll(async () => {
    env = await specTables();
    store = new CheckpointStore({ pool: env.pool, tablePrefix: env.prefix });
  });
  afterAll(() => env.close());

  const make = (rows: WindowRow<number>[], closeBy: 'partition' | 'key') =>
    new WindowedAggregation({
      window: tumbling(1000),
      aggregator: sum(),
      grace: 0,
      restateForMs: 60_000,
      emit: 'final',
      closeBy,
      sink: rows,
      mode: 'replay',
    });

  it.each(['partition', 'key'] as const)(
    'come back from acquire so a restatement continues version and revision (closeBy %s)',
    async (closeBy) => {
      const { group } = env;
      const topic = `${env.topic}-${closeBy}`;
      const rows: WindowRow<number>[] = [];
      const a = make(rows, closeBy);
      const state = windowState('sums', a);
      const first = await store.acquire(group, topic, 0, 'member-a');
      state.restore(0, first.state.get('sums'));
      const keys = ['\u0001odd', 'm-1', 'm-2'];
      a.process(keys.map((k) => rec(k, 100, 1)));
      a.process(keys.map((k) => rec(k, 1500, 1))); // every [0, 1000) closes (on each key's own time with 'key')
      a.process([rec('m-1', 200, 10)]); // restated: version 2, revision 1
      const commit = async (epoch: number, nextOffset: number) => {
        await store.commit({
          group,
          partitions: [{ topic, partition: 0, epoch, nextOffset, state: { sums: state.changes(0) ?? {} } }],
        });
        state.markCheckpointed(0);
      };
      await commit(first.epoch, 3);
      a.process([rec('m-1', 300, 100)]); // restated again: one closed-window row changes
      expect(state.changes(0)?.upserts).toEqual([['\u00010\u0001m-1', [111, 3, 2]]]);
      await commit(first.epoch, 4);

      const after: WindowRow<number>[] = [];
      const b = make(after, closeBy);
      const second = await store.acquire(group, topic, 0, 'member-b');
      windowState('sums', b).restore(0, second.state.get('sums'));
      expect(b.snapshot(0)).toEqual(JSON.parse(JSON.stringify(a.snapshot(0))));
      b.process([rec('m-1', 400, 1000), rec('\u0001odd', 10, 5)]);
      expect(after.map((r) => [r.key, r.windowStart, r.value, r.version, r.revision, r.restated])).toEqual([
        ['m-1', 0, 1111, 4, 3, true],
        ['\u0001odd', 0, 6, 2, 1, true],
      ]);
    },
  );
});
