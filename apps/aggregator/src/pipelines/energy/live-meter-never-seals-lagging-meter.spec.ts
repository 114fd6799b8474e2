import type { ConsumedMessage } from '@switchboard/streams';
import { TimeseriesData } from '@switchboard/streams';
import { type EnergyResult, energyTopology } from './topology';
import { assign } from './topology.spec-support';

// Key-level closing: a meter's windows are sealed by its own stream time, not the partition's. A live meter two
// hours ahead on the same partition does not make a lagging meter's backlog late: it lands in open windows, and
// they close when the lagging meter's own readings pass end + grace.
const Q = 15 * 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function readings(streamId: string, rows: Array<[ts: number, energyWh: number]>): ConsumedMessage {
  const data = new TimeseriesData();
  for (const [ts, wh] of rows) data.setNumeric(data.addRow(ts), 'energyWh', wh);
  return { partition: 0, offset: '0', streamId, message: { kind: 'timeseries', data } };
}

const rowsOf = (results: EnergyResult[], meterId: string) =>
  results.flatMap((r) =>
    r.kind === 'window' && r.meterId === meterId ? [[r.row.windowStart - T0, r.row.isFinal, r.revision]] : [],
  );

describe("one meter's clock never decides another's lateness", () => {
  it('keeps a lagging meter’s windows open while another meter of the partition is hours ahead', () => {
    const t = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' });
    assign(t);
    t.process(0, [readings('acme/live', [[T0 + 2 * 3_600_000, 5]])]);
    t.process(0, [
      readings('acme/lagging', [
        [T0, 1],
        [T0 + 60_000, 2],
      ]),
    ]);
    expect(rowsOf(t.drain().results, 'lagging')).toEqual([[0, false, 0]]);
    expect(t.meterTime(0, 'acme/lagging')).toBe(T0 + 60_000);
    expect(t.streamTime(0)).toBe(T0 + 2 * 3_600_000);

    t.process(0, [readings('acme/lagging', [[T0 + Q + 61_000, 3]])]); // its own time passes end + grace
    expect(rowsOf(t.drain().results, 'lagging')).toEqual([
      [0, true, 0],
      [Q, false, 0],
    ]);
    expect(t.refused).toEqual({ late: 0, invalid: 0 });
  });

  it('lets an idle meter follow the wall clock without visiting the active ones, live', () => {
    let now = T0;
    const t = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'live', clock: () => now });
    assign(t);
    t.process(0, [readings('acme/quiet', [[T0, 1]]), readings('acme/busy', [[T0, 1]])]);
    for (let s = 1; s <= 20; s++) {
      now = T0 + s * 60_000;
      t.process(0, [readings('acme/busy', [[now, 1 + s]])]);
      t.tick(now + 500);
    }
    // busy's own readings closed its first window; quiet's closed by its idle clock at end + grace
    const { results } = t.drain();
    expect(rowsOf(results, 'quiet')).toEqual([
      [0, false, 0],
      [0, true, 0],
    ]);
    expect(t.meterTime(0, 'acme/quiet')).toBeGreaterThanOrEqual(T0 + Q + 60_000);
  });
});
