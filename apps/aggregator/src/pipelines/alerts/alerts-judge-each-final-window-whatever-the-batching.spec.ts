import { defaultAlertSetting } from '@switchboard/domain';
import { meterWindow, T0 } from '../../alerts/spec-fixtures';
import { alertsTopology } from './alerts-topology';

const Q = 15 * 60_000;

// A backfill arrives as one batch of many final windows. The spike rule judges each final window of a meter as it
// arrives, so a spike inside the batch raises (and the next normal window resolves it) exactly as one window a
// batch does: the alerts never depend on how the updates were batched.
describe('the alert rules judge each final window whatever the batching', () => {
  const windows = [1_000, 1_000, 1_000, 1_000, 4_500, 1_000].map((e, i) => meterWindow(T0 + i * Q, e, true));

  function run(batches: (typeof windows)[]) {
    const topology = alertsTopology({
      idleMs: 1000,
      mode: 'replay',
      settings: (_t, rule) => defaultAlertSetting(rule),
    });
    for (const s of topology.states) s.restore(0, undefined);
    for (const b of batches) topology.process(0, b);
    return topology.drain().results.map((c) => [c.rule, c.cycle.firing]);
  }

  it('raises and resolves the spike in one batch as it does one window at a time', () => {
    const oneByOne = run(windows.map((w) => [w]));
    expect(oneByOne).toEqual([
      ['meter_energy_spike', true],
      ['meter_energy_spike', false],
    ]);
    expect(run([windows])).toEqual(oneByOne);
  });
});
