import type { ConsumedMessage } from '@switchboard/streams';
import { TimeseriesData } from '@switchboard/streams';
import { type EnergyResult, energyTopology } from './topology';
import { assign, checkpointOf, restoreFrom } from './topology.spec-support';

// The topology without broker or Postgres: readings in, row changes / data-quality rows / outbox out.
const Q = 15 * 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function readings(
  streamId: string,
  rows: Array<[ts: number, energyWh: number | null, powerW?: number]>,
): ConsumedMessage {
  const data = new TimeseriesData();
  for (const [ts, wh, p] of rows) {
    const i = data.addRow(ts);
    if (wh !== null) data.setNumeric(i, 'energyWh', wh);
    if (p !== undefined) data.setNumeric(i, 'powerW', p);
  }
  return { partition: 0, offset: '0', streamId, message: { kind: 'timeseries', data } };
}

function windows(results: EnergyResult[]) {
  return results.flatMap((r) =>
    r.kind === 'window'
      ? [{ start: r.row.windowStart - T0, mwh: r.row.energyMwh, n: r.row.readings, final: r.row.isFinal, v: r.version }]
      : [],
  );
}

function fresh(now = () => T0) {
  return assign(energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'live', clock: now }));
}

describe('energy topology', () => {
  it('gives one version per batch per row, and the final version when stream time passes end + grace', () => {
    const t = fresh();
    t.process(0, [
      readings('acme/m1', [
        [T0, 100],
        [T0 + 60_000, 100.5],
        [T0 + 120_000, 101.25],
      ]),
    ]);
    t.process(0, [readings('acme/m1', [[T0 + Q + 60_000, 102]])]); // stream time = end + grace: window 0 closes
    const { results, outbox } = t.drain();
    expect(windows(results)).toEqual([
      { start: 0, mwh: 1250, n: 3, final: false, v: 1 },
      { start: 0, mwh: 1250, n: 3, final: true, v: 2 },
      { start: Q, mwh: 750, n: 1, final: false, v: 1 },
    ]);
    expect(outbox.map((o) => [o.key, JSON.parse(String(o.value)).version])).toEqual([
      [`acme/meter_energy_15m/m1/${T0}`, 1],
      [`acme/meter_energy_15m/m1/${T0}`, 2],
      [`acme/meter_energy_15m/m1/${T0 + Q}`, 1],
    ]);
    // Keyed by the row, partitioned by the meter: every row of a meter meets its alert rules in one partition.
    expect(outbox[0].headers).toEqual({ 'sb-model': 'metric-update', 'sb-partition-key': 'acme/meter/m1' });
  });

  it('restates a final window with a reading for it, reports an impossible value, and goes on', () => {
    const t = fresh();
    t.process(0, [
      readings('acme/m1', [
        [T0, 10],
        [T0 + Q + 61_000, 20],
      ]),
    ]);
    t.process(0, [
      readings('acme/m1', [
        [T0 + 5_000, 11], // window 0 is final: restated
        [T0 + Q + 70_000, -3],
      ]),
    ]);
    t.process(0, [
      readings('acme/m1', [
        [T0 + Q + 80_000, null],
        [T0 + Q + 90_000, 21],
      ]),
    ]);
    const { results, outbox } = t.drain();
    expect(results.flatMap((r) => (r.kind === 'data-quality' ? [r.row.kind] : []))).toEqual([
      'invalid_reading',
      'invalid_reading',
    ]);
    const rows = results.flatMap((r) =>
      r.kind === 'window' ? [[r.row.windowStart - T0, r.row.energyMwh, r.row.isFinal, r.version, r.revision]] : [],
    );
    expect(rows).toEqual([
      [0, 0, true, 1, 0], // opened and closed in one batch: only its final version
      [Q, 10_000, false, 1, 0],
      [Q, 9_000, false, 2, 0], // its successor re-attributed (a batch's open rows come before its restatements)
      [0, 1_000, true, 2, 1], // restated
      [Q, 10_000, false, 3, 0],
    ]);
    const restated = outbox.map((o) => JSON.parse(String(o.value))).filter((u) => u.restatement);
    expect(restated).toEqual([
      expect.objectContaining({ version: 2, row: expect.objectContaining({ is_final: true, revision: 1 }) }),
    ]);
  });

  it('closes windows of an idle meter with the wall clock, in live mode', () => {
    let now = T0;
    const t = fresh(() => now);
    t.process(0, [
      readings('acme/m1', [
        [T0, 1],
        [T0 + 30_000, 2],
      ]),
    ]);
    now += 500;
    t.tick(now);
    expect(windows(t.drain().results).map((w) => w.final)).toEqual([false]);
    now = T0 + Q + 60_000 + 1_000; // quiet for longer than idleMs: stream time follows the wall clock
    t.tick(now);
    expect(windows(t.drain().results)).toEqual([{ start: 0, mwh: 1000, n: 2, final: true, v: 2 }]);
  });

  it('does not idle a partition that never saw a reading: a late first fetch of a backlog is not late', () => {
    let now = T0 + 3_600_000;
    const t = fresh(() => now);
    t.tick(now);
    now += 60_000;
    t.tick(now);
    t.process(0, [
      readings('acme/m1', [
        [T0, 1],
        [T0 + 60_000, 2],
      ]),
    ]);
    expect(windows(t.drain().results)).toEqual([{ start: 0, mwh: 1000, n: 2, final: false, v: 1 }]);
  });

  it('continues versions and re-attribution after a restore from its checkpointed changes', () => {
    const a = fresh();
    a.process(0, [
      readings('acme/m1', [
        [T0, 1],
        [T0 + 120_000, 3],
      ]),
    ]);
    a.drain();
    const b = restoreFrom(energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' }), checkpointOf(a));
    expect(b.streamTime(0)).toBe(T0 + 120_000);
    b.process(0, [readings('acme/m1', [[T0 + 60_000, 2.5]])]); // inserted between the two: same window, same sum
    expect(windows(b.drain().results)).toEqual([{ start: 0, mwh: 2000, n: 3, final: false, v: 2 }]);
  });

  it('evicts a meter quiet for the TTL once all its rows are final and beyond the horizon', () => {
    const t = energyTopology({
      graceMs: 60_000,
      idleMs: 1_000,
      mode: 'replay',
      ttlMs: 3_600_000,
      restateForMs: 1_800_000,
    });
    assign(t);
    t.process(0, [readings('acme/quiet', [[T0, 1]]), readings('acme/busy', [[T0, 1]])]);
    t.drain(); // both checkpointed
    for (const state of t.states) state.markCheckpointed(0);
    t.process(0, [readings('acme/busy', [[T0 + 2 * 3_600_000, 2]])]);
    expect(t.meterCount(0)).toBe(1);
    const { results } = t.drain();
    const meterKeys = (keys: readonly string[] = []) => keys.filter((k) => !k.includes('#'));
    expect(meterKeys(t.states[0].changes(0)?.deletes)).toEqual(['acme/quiet']);
    // Its last window closed when it fell beyond the horizon (a replay never idles), before it left the state;
    // both meters' first windows closed beyond the horizon, so the engine keeps neither (only busy's new one).
    const quiet = results.flatMap((r) => (r.kind === 'window' && r.meterId === 'quiet' ? [r.row.isFinal] : []));
    expect(quiet).toEqual([true]);
    const windows = t.states[1].changes(0);
    expect(windows?.deletes).toEqual(['acme/quiet']);
    expect(windows?.upserts?.map(([k, v]) => [k, (v as { windows: unknown[] }).windows.length])).toEqual([
      ['acme/busy', 1],
    ]);
  });
});
