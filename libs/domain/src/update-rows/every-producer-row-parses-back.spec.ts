import { EMPTY_QUEUE_STATS, serviceLevel } from '../queue-metrics';
import { InvalidMetricUpdateError, METRIC_KINDS, type MetricUpdate } from '../updates';
import {
  agentCountsUpdate,
  agentStatusUpdate,
  alertUpdate,
  meterEnergyUpdate,
  parseTypedMetricUpdate,
  parseUpdateRow,
  queueGaugeUpdate,
  queueStatsSumsOf,
  queueStatsUpdate,
  UPDATE_ROW_SCHEMAS,
} from '.';

const T = Date.UTC(2026, 10, 25, 9);
const sums = { ...EMPTY_QUEUE_STATS, offered: 4, answered: 3, answeredInSla: 2, abandoned: 1, maxWaitMs: 9_000 };
const updates: MetricUpdate[] = [
  queueStatsUpdate({
    tenant: 'acme',
    queue: 'sales',
    windowStart: T,
    windowEnd: T + 60_000,
    sums,
    isFinal: true,
    version: 4,
    revision: 1,
    restatement: true,
  }),
  meterEnergyUpdate({
    tenant: 'acme',
    meterId: 'm-1',
    windowStart: T,
    windowEnd: T + 900_000,
    energyMwh: 1_250,
    readings: 3,
    maxPowerW: 5_000.5,
    resets: 0,
    isFinal: false,
    version: 2,
    revision: 0,
  }),
  agentStatusUpdate({ tenant: 'acme', agentId: 'a-1', status: 'wrap_up', since: T, version: 7 }),
  queueGaugeUpdate({ tenant: 'acme', queue: 'sales', version: 3, waiting: 2, longestWaitingSince: T }),
  agentCountsUpdate('acme', 12, { available: 1, busy: 2, wrap_up: 0, break: 0, offline: 4 }),
  alertUpdate({
    tenant: 'acme',
    rule: 'queue_service_level_low',
    entityType: 'queue',
    entityId: 'sales',
    severity: 'warning',
    firing: true,
    message: 'Service level of queue sales is 60 %',
    value: 0.6,
    threshold: 0.8,
    details: { handled: 5 },
    firedAt: T,
    resolvedAt: null,
    version: 1,
  }),
];

describe('update row contracts', () => {
  it('has one schema for every kind on metrics.updates', () => {
    expect(Object.keys(UPDATE_ROW_SCHEMAS).sort()).toEqual([...METRIC_KINDS].sort());
  });

  it.each(updates.map((u) => [u.kind, u] as const))('a %s built by its constructor parses back unchanged', (_k, u) => {
    expect(parseTypedMetricUpdate(JSON.stringify(u))).toEqual(u);
  });

  it('carries the restatement flag and revision of a restated window', () => {
    const u = parseUpdateRow(updates[0]);
    expect(u.restatement).toBe(true);
    if (u.kind !== 'queue_stats_1m') throw new Error('kind');
    expect(u.row.revision).toBe(1);
    expect(serviceLevel(queueStatsSumsOf(u.row))).toBe(0.5);
    expect(queueStatsSumsOf(u.row)).toEqual(sums);
  });

  it('reads a window published before restatements existed as revision 0', () => {
    const { revision: _, ...old } = updates[1].row as Record<string, unknown>;
    expect(parseUpdateRow({ ...updates[1], row: old }).row).toEqual(updates[1].row);
  });

  it('drops fields outside the contract', () => {
    const u = { ...updates[3], row: { ...updates[3].row, extra: 1 } };
    expect(parseUpdateRow(u).row).toEqual(updates[3].row);
  });

  it.each([
    ['a negative revision', { ...updates[0], row: { ...updates[0].row, revision: -1 } }, 'revision'],
    ['an unknown agent status', { ...updates[2], row: { ...updates[2].row, status: 'lunch' } }, 'status'],
    ["another tenant's row", { ...updates[4], row: { ...updates[4].row, tenant: 'other' } }, 'tenant'],
    ['an alert in no known state', { ...updates[5], row: { ...updates[5].row, state: 'maybe' } }, 'state'],
  ])('refuses %s, naming the field', (_name, u, field) => {
    expect(() => parseUpdateRow(u)).toThrow(InvalidMetricUpdateError);
    expect(() => parseUpdateRow(u)).toThrow(`row.${field}`);
  });
});
