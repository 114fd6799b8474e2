import { sum } from '../core/processing/aggregators';
import type { WindowRow } from '../core/processing/record';
import { RepartitionBoundary, type RepartitionMessage } from '../core/processing/repartition';
import { WindowedAggregation } from '../core/processing/windowed-aggregation';
import { tumbling } from '../core/processing/windows';
import { decodeRepartition, repartitionOutbox } from './repartition-hop';

const MIN = 60_000;
const T = 1_700_000_040_000 - (1_700_000_040_000 % MIN);
const tenantOf = (key: string) => key.slice(0, key.indexOf('/'));

// What the sources said of each tenant is checkpointed with stage 2's windows: after a restart a tenant an hour behind
// still closes on its own time, not on the live tenant's; and the time markers cross the topic with their groups.
describe('per-tenant time after a hop, across a restart and the wire', () => {
  const stage2 = (rows: WindowRow<number>[]) =>
    new WindowedAggregation<number, number, number>({
      window: tumbling(MIN),
      aggregator: sum(),
      grace: MIN,
      inputs: 2,
      closeBy: tenantOf,
      restateForMs: 24 * 60 * MIN,
      sink: rows,
      mode: 'replay',
    });

  it('a restored stage 2 keeps a late tenant’s windows open while the live one runs ahead', () => {
    const wire: RepartitionMessage<number>[] = [];
    const stage1 = new RepartitionBoundary<number>({
      keyBy: (_v, r) => r.key,
      timeGroup: (r) => tenantOf(r.key),
      sink: {
        push: (m) =>
          wire.push(
            ...repartitionOutbox('hop', 1, [m]).map((o) => decodeRepartition<number>(o.key, { ...o.headers }, o.value)),
          ),
      },
      mode: 'replay',
    });
    stage1.assign(0);
    stage1.assign(1);
    const rows: WindowRow<number>[] = [];
    let op = stage2(rows);
    op.assign(0);
    const feed = () => op.processMessages(0, wire.splice(0));
    for (const p of [0, 1]) stage1.process([{ key: 'live/q', value: 1, timestamp: T + 60 * MIN, partition: p }]);
    feed();
    stage1.process([{ key: 'late/q', value: 1, timestamp: T, partition: 0 }]);
    stage1.process([{ key: 'late/q', value: 1, timestamp: T + 10_000, partition: 1 }]);
    feed();
    expect(wire).toEqual([]);
    // restart from the checkpointed changes
    const snap = WindowedAggregation.applyChanges<number>(undefined, JSON.parse(JSON.stringify(op.changes(0))));
    expect(snap.groupInputs?.map(([g]) => g).sort()).toEqual(['late', 'live']);
    op = stage2(rows);
    op.restore(0, snap);
    expect(op.closingTime(0, 'late/q')).toBe(T);
    expect(op.closingTime(0, 'live/q')).toBe(T + 60 * MIN);
    // the late tenant goes on, 30 s further on each source: its first window is still open and takes a record
    for (const p of [0, 1]) stage1.process([{ key: 'late/q', value: 1, timestamp: T + 30_000, partition: p }]);
    feed();
    expect(rows.filter((r) => r.key === 'late/q' && r.restated)).toEqual([]);
    // two minutes on (each source): the window closes, final once, with all four records
    for (const p of [0, 1]) stage1.process([{ key: 'late/q', value: 0, timestamp: T + 2 * MIN + 1, partition: p }]);
    feed();
    const first = rows.filter((r) => r.key === 'late/q' && r.windowStart === T);
    expect(first.at(-1)).toMatchObject({ final: true, value: 4, revision: 0, restated: false });
  });

  it('a source whose markers carry no groups closes by its partition’s time (no stall)', () => {
    const rows: WindowRow<number>[] = [];
    const op = stage2(rows);
    op.assign(0);
    op.processMessages(0, [
      { kind: 'record', key: 'a/q', value: 1, timestamp: T, sourcePartition: 0, sequence: 0 },
      { kind: 'time', sourcePartition: 0, streamTime: T + 5 * MIN },
      { kind: 'time', sourcePartition: 1, streamTime: T + 5 * MIN },
    ]);
    expect(op.closingTime(0, 'a/q')).toBe(T + 5 * MIN);
    expect(rows.filter((r) => r.final).map((r) => r.windowStart)).toEqual([T]);
  });
});
