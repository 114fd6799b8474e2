import { EntityRig, meterWindow, T0 } from './spec-fixtures';

const Q = 15 * 60_000;

// Late readings restate final windows (a higher version of a final row, PRODUCT.md "Accepted means counted"): the
// spike rule judges the restated numbers, not the ones it saw first.
describe('an energy spike re-judged when a final window is restated', () => {
  function withSpike(): EntityRig {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 4; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    m.apply(meterWindow(T0 + 4 * Q, 4_000, true), T0 + 4 * Q);
    expect(m.firing('meter_energy_spike')).toBe(true);
    return m;
  }

  it('resolves a spike alert once its window is restated below the threshold', () => {
    const m = withSpike();
    const resolved = m.apply(meterWindow(T0 + 4 * Q, 2_000, true, 2), T0 + 4 * Q + 60_000);
    expect(resolved.map((c) => [c.rule, c.cycle.firing])).toEqual([['meter_energy_spike', false]]);
  });

  it('raises when a baseline window is restated so that the latest window becomes a spike', () => {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 4; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    m.apply(meterWindow(T0 + 4 * Q, 2_500, true), T0 + 4 * Q);
    expect(m.firing('meter_energy_spike')).toBe(false);
    // Window 0 restated down: the mean of the four before the latest drops from 1,000 to 775 → 2,500 / 775 > 3.
    const raised = m.apply(meterWindow(T0, 100, true, 2), T0 + 4 * Q + 60_000);
    expect(raised.map((c) => [c.rule, c.cycle.firing])).toEqual([['meter_energy_spike', true]]);
  });

  it('ignores a repeated version of a restated window (the relay delivers at least once)', () => {
    const m = withSpike();
    m.apply(meterWindow(T0 + 4 * Q, 2_000, true, 2), T0 + 4 * Q + 60_000);
    const again = m.apply(meterWindow(T0 + 4 * Q, 9_000, true, 2), T0 + 4 * Q + 120_000);
    expect(again).toEqual([]);
    expect(m.firing('meter_energy_spike')).toBe(false);
  });

  it('splits the gap when a window that had no row arrives final between two others', () => {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 4; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    // Two windows' energy in one row after a gap of one window: 2,000 over 2 windows, no spike.
    m.apply(meterWindow(T0 + 5 * Q, 2_000, true), T0 + 5 * Q);
    expect(m.firing('meter_energy_spike')).toBe(false);
    // A late reading fills the gap: window 4 gets 1,000 and window 5 is restated to 1,000 — still no spike…
    m.apply(meterWindow(T0 + 4 * Q, 1_000, true), T0 + 5 * Q + 60_000);
    m.apply(meterWindow(T0 + 5 * Q, 1_000, true, 2), T0 + 5 * Q + 60_000);
    expect(m.firing('meter_energy_spike')).toBe(false);
    // …while window 5 restated to 4,500 now covers one window only: a spike.
    m.apply(meterWindow(T0 + 5 * Q, 4_500, true, 3), T0 + 5 * Q + 120_000);
    expect(m.firing('meter_energy_spike')).toBe(true);
  });
});
