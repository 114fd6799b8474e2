import { EntityRig, MIN, meterWindow, T0 } from './spec-fixtures';

describe('a silent meter', () => {
  it('raises once an hour has passed since the end of its last window with readings, and resolves when it speaks', () => {
    const m = new EntityRig('acme/meter/m-1');
    m.apply(meterWindow(T0, 1_000, false), T0);
    // Its last reading lies somewhere in 09:00–09:15: silence counts from 09:15.
    expect(m.evaluate(T0 + 75 * MIN)).toEqual([]);
    const raised = m.evaluate(T0 + 75 * MIN + 1_000);
    expect(raised.map((c) => [c.rule, c.entityId, c.cycle.severity])).toEqual([['meter_silent', 'm-1', 'warning']]);
    expect(raised[0].cycle.message).toBe('Meter m-1 has sent no reading for at least 60 min (threshold 60 min)');
    expect(m.evaluate(T0 + 136 * MIN).map((c) => c.cycle.severity)).toEqual(['critical']);
    const resolved = m.apply(meterWindow(T0 + 135 * MIN, 10, false), T0 + 136 * MIN);
    expect(resolved.map((c) => [c.rule, c.cycle.firing, c.cycle.version])).toEqual([['meter_silent', false, 3]]);
  });

  it('is not woken by the final version of its old window', () => {
    const m = new EntityRig('acme/meter/m-1');
    m.apply(meterWindow(T0, 1_000, false), T0);
    m.evaluate(T0 + 80 * MIN);
    expect(m.firing('meter_silent')).toBe(true);
    m.apply(meterWindow(T0, 1_000, true, 2), T0 + 80 * MIN);
    expect(m.firing('meter_silent')).toBe(true);
  });
});
