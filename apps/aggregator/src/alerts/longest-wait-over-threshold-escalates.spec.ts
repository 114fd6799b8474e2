import { EntityRig, queueGauge, T0 } from './spec-fixtures';

describe('longest wait of a queue', () => {
  it('raises after 120 s, escalates to critical after 240 s, and resolves when the call is answered', () => {
    const q = new EntityRig('acme/queue/sales');
    expect(q.apply(queueGauge(T0, 1), T0)).toEqual([]);
    expect(q.evaluate(T0 + 120_000)).toEqual([]); // exactly the threshold is not over it
    const raised = q.evaluate(T0 + 121_000);
    expect(raised.map((c) => [c.rule, c.cycle.severity, c.cycle.value])).toEqual([
      ['queue_longest_wait_high', 'warning', 121],
    ]);
    expect(q.evaluate(T0 + 200_000)).toEqual([]); // the same severity: the row does not change
    const escalated = q.evaluate(T0 + 241_000);
    expect(escalated.map((c) => [c.cycle.severity, c.cycle.version, c.cycle.firedAt])).toEqual([
      ['critical', 2, T0 + 121_000],
    ]);
    const resolved = q.apply(queueGauge(null, 2), T0 + 250_000);
    expect(resolved.map((c) => [c.cycle.firing, c.cycle.version])).toEqual([[false, 3]]);
  });

  it('ignores a repeated older gauge version', () => {
    const q = new EntityRig('acme/queue/sales');
    q.apply(queueGauge(null, 3), T0);
    q.apply(queueGauge(T0 - 600_000, 2), T0); // an older gauge, delivered again
    expect(q.firing('queue_longest_wait_high')).toBe(false);
  });
});
