import type { ConsumedMessage, StoredState } from '@switchboard/streams';
import { TimeseriesData } from '@switchboard/streams';
import { energyTopology } from './energy-topology';

// The final segments are checkpointed with the meters (one store entry per meter and 6 hours): after a restart
// from the checkpoint a late reading restates its final window exactly, with the version and revision continuing
// from what was published before.
const Q = 15 * 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function readings(rows: Array<[ts: number, energyWh: number]>): ConsumedMessage {
  const data = new TimeseriesData();
  for (const [ts, wh] of rows) data.setNumeric(data.addRow(ts), 'energyWh', wh);
  return { partition: 0, offset: '0', streamId: 'acme/m1', message: { kind: 'timeseries', data } };
}

describe('restatement after a restore', () => {
  it('restates a final window from its checkpointed segment, versions and revisions continuing', () => {
    const a = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' });
    a.states[0].restore(0, undefined);
    a.process(0, [readings([[T0 + 60_000, 10]])]);
    a.process(0, [readings([[T0 + Q + 61_000, 12]])]); // W0 final (version 2)
    a.process(0, [readings([[T0 + 30_000, 9]])]); // restated once: version 3, revision 1
    a.drain();
    const c = a.states[0].changes(0);
    const stored: StoredState = { meta: c?.meta, entries: (c?.upserts ?? []).map(([k, v]) => [k, v]) };
    expect(stored.entries.map(([k]) => k).sort()).toEqual(['acme/m1', `acme/m1#${T0 - (T0 % (6 * 3_600_000))}`]);

    const b = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' });
    b.states[0].restore(0, JSON.parse(JSON.stringify(stored)));
    b.process(0, [readings([[T0 + 14 * 60_000, 11.5]])]); // after W0's last reading: 0.5 Wh moves out of W1
    const rows = b
      .drain()
      .results.flatMap((r) =>
        r.kind === 'window'
          ? [[r.row.windowStart - T0, r.row.energyMwh, r.row.readings, r.row.isFinal, r.version, r.revision]]
          : [],
      );
    expect(rows).toEqual([
      [0, 2_500, 3, true, 4, 2],
      [Q, 500, 1, false, 2, 0],
    ]);
  });
});
