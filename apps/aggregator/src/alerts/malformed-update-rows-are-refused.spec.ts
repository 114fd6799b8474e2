import type { MetricUpdate } from '@switchboard/domain';
import { alertInputOf, InvalidAlertInputError } from './alert-inputs';

const update = (kind: MetricUpdate['kind'], row: Record<string, unknown>): MetricUpdate => ({
  id: `acme/${kind}/x`,
  kind,
  tenant: 'acme',
  version: 1,
  row,
});
const window = {
  queue: 'sales',
  window_start: '2026-11-25T09:00:00.000Z',
  answered: 8,
  abandoned: 3,
  abandoned_short: 1,
  answered_in_sla: 6,
};

describe('rule inputs from update rows', () => {
  it('reads a queue window with the service level denominator', () => {
    expect(alertInputOf(update('queue_stats_1m', window))).toEqual({
      type: 'queue-window',
      tenant: 'acme',
      queue: 'sales',
      windowStart: Date.UTC(2026, 10, 25, 9),
      answeredInSla: 6,
      handled: 10,
      version: 1,
    });
  });

  it('ignores kinds no rule reads', () => {
    expect(alertInputOf(update('agent_counts', { available: 3 }))).toBeUndefined();
  });

  it.each([
    ['a negative count', update('queue_stats_1m', { ...window, answered: -1 }), 'answered'],
    ['a count as text', update('queue_stats_1m', { ...window, answered_in_sla: '6' }), 'answered_in_sla'],
    [
      'a window start that is no time',
      update('queue_stats_1m', { ...window, window_start: 'yesterday' }),
      'window_start',
    ],
    [
      'a queue id over 64 characters',
      update('queue_gauge', { queue: 'q'.repeat(65), longest_waiting_since: null }),
      'queue',
    ],
    [
      'energy as a float',
      update('meter_energy_15m', { meter_id: 'm', window_start: window.window_start, energy_mwh: 1.5, is_final: true }),
      'energy_mwh',
    ],
    [
      'a missing is_final',
      update('meter_energy_15m', { meter_id: 'm', window_start: window.window_start, energy_mwh: 1 }),
      'is_final',
    ],
  ])('refuses %s, naming the field', (_name, u, field) => {
    expect(() => alertInputOf(u)).toThrow(InvalidAlertInputError);
    expect(() => alertInputOf(u)).toThrow(field);
  });
});
