import { type StoredState, TimeseriesData } from '@switchboard/streams';
import { EnergyCheckpointFormatError } from '../../energy';
import { energyTopology } from './topology';
import { assign, checkpointOf, restoreFrom } from './topology.spec-support';

// A checkpoint from before the windows moved onto the streams engine (the meter kept its own windows, versions and
// final segments, no format marker) is refused on restore with what to do: restoring it as empty would lose every
// meter's baseline and open window while its offsets say they were counted.
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

const format1: StoredState = {
  meta: { format: 'switchboard.keyed/1', now: T0, streamTime: T0 },
  entries: [
    [
      'acme/m1',
      [
        {
          energy: { sealedBefore: null, readings: [[T0, 1_000, null]], windows: [], finals: [], anchor: null },
          versions: [[T0, 1]],
          touchedAt: T0,
          time: T0,
        },
        T0,
      ],
    ],
  ],
};

describe('an energy checkpoint from before the engine', () => {
  it('fails the restore with a typed error that says to run switchboard replay', () => {
    const t = energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' });
    const restore = () => t.states[0].restore(0, format1);
    expect(restore).toThrow(EnergyCheckpointFormatError);
    expect(restore).toThrow(/older format than switchboard\.energy-meters\/2.*`switchboard replay`/);
  });

  it('restores a checkpoint of the current format', () => {
    const a = assign(energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' }));
    const data = new TimeseriesData();
    data.setNumeric(data.addRow(T0), 'energyWh', 1);
    a.process(0, [{ partition: 0, offset: '0', streamId: 'acme/m1', message: { kind: 'timeseries', data } }]);
    a.drain();
    const b = restoreFrom(energyTopology({ graceMs: 60_000, idleMs: 1_000, mode: 'replay' }), checkpointOf(a));
    expect([b.meterCount(0), b.streamTime(0)]).toEqual([1, T0]);
  });
});
