import { EntityRig, meterWindow, T0 } from './spec-fixtures';

const Q = 15 * 60_000;

describe("a meter's energy far above its trailing average", () => {
  it('raises when a final window is over 3× the mean of the final windows before it, and resolves at the next normal one', () => {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 4; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    expect(m.changes).toEqual([]);
    // Only final windows count: a big current value is not judged.
    m.apply(meterWindow(T0 + 4 * Q, 9_000, false), T0 + 4 * Q);
    expect(m.changes).toEqual([]);
    const raised = m.apply(meterWindow(T0 + 4 * Q, 3_500, true, 2), T0 + 4 * Q);
    expect(raised.map((c) => [c.rule, c.cycle.severity, c.cycle.value])).toEqual([
      ['meter_energy_spike', 'warning', 3.5],
    ]);
    expect(raised[0].cycle.details).toEqual({
      windowStart: new Date(T0 + 4 * Q).toISOString(),
      energyMwh: 3_500,
      averageMwh: 1_000,
    });
    const resolved = m.apply(meterWindow(T0 + 5 * Q, 1_100, true), T0 + 5 * Q);
    expect(resolved.map((c) => c.cycle.firing)).toEqual([false]);
  });

  it('compares per window covered: after a 2-hour gap one window carries the gap, which is not a spike', () => {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 4; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    m.apply(meterWindow(T0 + 11 * Q, 8_000, true), T0 + 11 * Q); // 8 windows' energy in one row
    expect(m.firing('meter_energy_spike')).toBe(false);
  });

  it('needs 4 earlier windows and a mean above zero before it judges', () => {
    const m = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 3; i++) m.apply(meterWindow(T0 + i * Q, 1_000, true), T0 + i * Q);
    m.apply(meterWindow(T0 + 3 * Q, 50_000, true), T0 + 3 * Q);
    expect(m.changes).toEqual([]);
    const idle = new EntityRig('acme/meter/m-1');
    for (let i = 0; i < 5; i++) idle.apply(meterWindow(T0 + i * Q, 0, true), T0 + i * Q);
    idle.apply(meterWindow(T0 + 5 * Q, 5_000, true), T0 + 5 * Q);
    expect(idle.changes).toEqual([]);
  });
});
