import { MeterWindows } from './meter-windows.spec-support';

// A reading for a final window is applied as an in-order reading would be: its own energy against its
// predecessor, and its successor's energy re-attributed (retract + add) — here the successor sits in the next
// final window, so both final windows change (restatements) and the open one does not.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('a reading for a final window restates it', () => {
  it('changes its window and re-attributes the successor in the next final window', () => {
    const meter = new MeterWindows({ graceMs: 0 });
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 100 });
    meter.ingest({ meterId: 'm1', ts: T + Q + 60_000, energyWh: 110 });
    const { closed } = meter.ingest({ meterId: 'm1', ts: T + 2 * Q + 60_000, energyWh: 111 });
    expect(closed.map((r) => [r.windowStart - T, r.energyMwh])).toEqual([[Q, 10_000]]);
    expect(meter.finals()).toEqual([T, T + Q]);

    const outcome = meter.ingest({ meterId: 'm1', ts: T + 10 * 60_000, energyWh: 104 });
    expect(outcome.status).toBe('applied');
    expect(outcome.changed.map((r) => [r.windowStart - T, r.isFinal, r.energyMwh, r.readings])).toEqual([
      [0, true, 4_000, 2],
      [Q, true, 6_000, 1],
    ]);
    expect(outcome.corrections.retract.map((c) => [c.ts - T, c.energyMwh])).toEqual([[Q + 60_000, 10_000]]);
    // the open window still measures against its predecessor, unchanged
    expect(meter.openRows().map((r) => [r.windowStart - T, r.energyMwh])).toEqual([[2 * Q, 1_000]]);
    // the meter holds the new reading in the 6-hour bucket of its older readings (what a restart would restore)
    expect(meter.buckets.get(T)?.map(([ts, mwh]) => [ts - T, mwh])).toEqual([
      [60_000, 100_000],
      [10 * 60_000, 104_000],
    ]);
  });

  it('fills an empty final window, measured against the readings around it across empty windows', () => {
    const meter = new MeterWindows({ graceMs: 0 });
    meter.ingest({ meterId: 'm1', ts: T, energyWh: 0 });
    meter.ingest({ meterId: 'm1', ts: T + 4 * Q, energyWh: 8 });
    const { changed } = meter.ingest({ meterId: 'm1', ts: T + 2 * Q, energyWh: 5 });
    expect(changed.map((r) => [r.windowStart - T, r.isFinal, r.energyMwh])).toEqual([
      [2 * Q, true, 5_000],
      [4 * Q, false, 3_000],
    ]);
    expect(meter.finals()).toEqual([T, T + 2 * Q]);
  });
});
