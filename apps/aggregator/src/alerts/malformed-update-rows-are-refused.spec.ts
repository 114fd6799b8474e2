import {
  agentCountsUpdate,
  EMPTY_QUEUE_STATS,
  type MetricUpdate,
  meterEnergyUpdate,
  queueGaugeUpdate,
  queueStatsUpdate,
} from '@switchboard/domain';
import { alertInputOf, InvalidAlertInputError } from './alert-inputs';

const START = Date.UTC(2026, 10, 25, 9);
const window = queueStatsUpdate({
  tenant: 'acme',
  queue: 'sales',
  windowStart: START,
  windowEnd: START + 60_000,
  sums: { ...EMPTY_QUEUE_STATS, offered: 11, answered: 8, abandoned: 3, abandonedShort: 1, answeredInSla: 6 },
  isFinal: false,
  version: 1,
  revision: 0,
});
const gauge = queueGaugeUpdate({ tenant: 'acme', queue: 'sales', version: 1, waiting: 0, longestWaitingSince: null });
const meter = meterEnergyUpdate({
  tenant: 'acme',
  meterId: 'm',
  windowStart: START,
  windowEnd: START + 900_000,
  energyMwh: 1,
  readings: 1,
  maxPowerW: null,
  resets: 0,
  isFinal: true,
  version: 1,
  revision: 0,
});
/** An update with its row changed as a broken (or foreign) producer would send it. */
const broken = (u: MetricUpdate, row: Record<string, unknown>): MetricUpdate => ({ ...u, row: { ...u.row, ...row } });

describe('rule inputs from update rows', () => {
  it('reads a queue window with the service level denominator', () => {
    expect(alertInputOf(window)).toEqual({
      type: 'queue-window',
      tenant: 'acme',
      queue: 'sales',
      windowStart: START,
      answeredInSla: 6,
      handled: 10,
      version: 1,
    });
  });

  it('ignores kinds no rule reads', () => {
    expect(
      alertInputOf(agentCountsUpdate('acme', 1, { available: 3, busy: 0, wrap_up: 0, break: 0, offline: 0 })),
    ).toBeUndefined();
  });

  it.each([
    ['a negative count', broken(window, { answered: -1 }), 'answered'],
    ['a count as text', broken(window, { answered_in_sla: '6' }), 'answered_in_sla'],
    ['a window start that is no time', broken(window, { window_start: 'yesterday' }), 'window_start'],
    ['a revision as text', broken(window, { revision: '1' }), 'revision'],
    ['a queue id over 64 characters', broken(gauge, { queue: 'q'.repeat(65) }), 'queue'],
    ['energy as a float', broken(meter, { energy_mwh: 1.5 }), 'energy_mwh'],
    ['a missing is_final', broken(meter, { is_final: undefined }), 'is_final'],
    ["another tenant's row", broken(meter, { tenant: 'other' }), 'tenant'],
  ])('refuses %s, naming the field', (_name, u, field) => {
    expect(() => alertInputOf(u)).toThrow(InvalidAlertInputError);
    expect(() => alertInputOf(u)).toThrow(field);
  });
});
