import type { ConsumedMessage } from '@switchboard/streams';
import { TimeseriesData } from '@switchboard/streams';
import { energyTopology } from './topology';
import { assign, checkpointOf, restoreFrom } from './topology.spec-support';

// The meters' readings (one store entry per meter, and per meter and 6 hours of older readings) and the engine's
// closed windows are checkpointed: after a restart from the checkpoint a late reading restates its final window
// exactly, with the version and revision continuing from what was published before.
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
    assign(a);
    a.process(0, [readings([[T0 + 60_000, 10]])]);
    a.process(0, [readings([[T0 + Q + 61_000, 12]])]); // W0 final (version 2)
    a.process(0, [readings([[T0 + 30_000, 9]])]); // restated once: version 3, revision 1
    a.drain();
    const stored = checkpointOf(a);
    // the meter's newest readings sit in its own entry (its older ones would be in `acme/m1#<6-hour start>`)
    expect(stored[0]?.entries.map(([k]) => k)).toEqual(['acme/m1']);
    expect(stored[1]?.entries.some(([k]) => k.endsWith('acme/m1') && k.includes(String(T0)))).toBe(true);

    const b = restoreFrom(energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' }), stored);
    b.process(0, [readings([[T0 + 14 * 60_000, 11.5]])]); // after W0's last reading: 0.5 Wh moves out of W1
    const rows = b
      .drain()
      .results.flatMap((r) =>
        r.kind === 'window'
          ? [[r.row.windowStart - T0, r.row.energyMwh, r.row.readings, r.row.isFinal, r.version, r.revision]]
          : [],
      );
    expect(rows).toEqual([
      [Q, 500, 1, false, 2, 0], // the batch's open rows, then its restatements
      [0, 2_500, 3, true, 4, 2],
    ]);
  });
});
