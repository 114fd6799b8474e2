import { EntityRig, MIN, queueWindow, T0 } from './spec-fixtures';

describe('queue service level over the last 15 minutes', () => {
  it('raises below 80 % with enough calls, and resolves when the low minutes leave the 15-minute span', () => {
    const q = new EntityRig('acme/queue/sales');
    // 10:00 — 6 of 10 handled calls in SLA: 60 %.
    const raised = q.apply(queueWindow(T0, 6, 10), T0);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ rule: 'queue_service_level_low', entityType: 'queue', entityId: 'sales' });
    expect(raised[0].cycle).toMatchObject({ firing: true, firedAt: T0, severity: 'warning', value: 0.6, version: 1 });
    expect(raised[0].cycle.message).toBe(
      'Service level of queue sales is 60.0 % over the last 15 minutes (threshold 80.0 %, 10 calls)',
    );

    // Good minutes pull it up: (6 + 20) / (10 + 20) = 86.7 % ≥ 80 % → resolved.
    const resolved = q.apply(queueWindow(T0 + 5 * MIN, 20, 20), T0 + 5 * MIN);
    expect(resolved.map((c) => [c.cycle.firing, c.cycle.version, c.cycle.resolvedAt])).toEqual([
      [false, 2, T0 + 5 * MIN],
    ]);
  });

  it('says nothing with fewer than 5 handled calls, and a bad minute ages out after 15 minutes', () => {
    const q = new EntityRig('acme/queue/sales');
    expect(q.apply(queueWindow(T0, 0, 4), T0)).toEqual([]);
    q.apply(queueWindow(T0 + MIN, 0, 6), T0 + MIN); // 0 of 10 → critical (below half the threshold)
    expect(q.changes[0].cycle.severity).toBe('critical');
    // At 10:15 the minutes 10:00 and 10:01 are out of the span: no data left, the alert resolves.
    expect(q.evaluate(T0 + 15 * MIN)).toEqual([]);
    expect(q.firing('queue_service_level_low')).toBe(true);
    const later = q.evaluate(T0 + 16 * MIN);
    expect(later.map((c) => c.cycle.firing)).toEqual([false]);
  });

  it('uses the latest version of a minute and ignores repeats of older ones', () => {
    const q = new EntityRig('acme/queue/sales');
    q.apply(queueWindow(T0, 2, 10, 1), T0);
    expect(q.firing('queue_service_level_low')).toBe(true);
    q.apply(queueWindow(T0, 10, 10, 2), T0); // the minute was corrected: 100 %
    expect(q.firing('queue_service_level_low')).toBe(false);
    q.apply(queueWindow(T0, 2, 10, 1), T0); // a repeat of version 1 from the at-least-once relay
    expect(q.firing('queue_service_level_low')).toBe(false);
    expect(q.changes.map((c) => c.cycle.version)).toEqual([1, 2]);
  });

  it("follows the tenant's threshold, and a disabled rule resolves", () => {
    const q = new EntityRig('acme/queue/sales');
    q.settings.queue_service_level_low = { threshold: 0.5, enabled: true };
    expect(q.apply(queueWindow(T0, 6, 10), T0)).toEqual([]);
    q.settings.queue_service_level_low = { threshold: 0.9, enabled: true };
    expect(q.evaluate(T0).map((c) => c.cycle.threshold)).toEqual([0.9]);
    q.settings.queue_service_level_low = { threshold: 0.9, enabled: false };
    expect(q.evaluate(T0 + 1).map((c) => c.cycle.firing)).toEqual([false]);
  });
});
