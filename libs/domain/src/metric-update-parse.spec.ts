import { InvalidMetricUpdateError, parseMetricUpdate, updateEntityKey } from './updates';

const valid = {
  id: 'acme/queue_gauge/sales',
  kind: 'queue_gauge',
  tenant: 'acme',
  version: 3,
  row: { queue: 'sales' },
};

describe('parseMetricUpdate', () => {
  it('reads a valid update', () => {
    expect(parseMetricUpdate(Buffer.from(JSON.stringify(valid)))).toEqual(valid);
  });

  it.each([
    ['no value', null, 'the message has no value'],
    ['not JSON', '{"id":', 'value is not JSON'],
    ['an array', '[]', 'value: '],
    ['an unknown kind', JSON.stringify({ ...valid, kind: 'drop_table' }), 'kind: '],
    ['version 0', JSON.stringify({ ...valid, version: 0 }), 'version: '],
    ['a fractional version', JSON.stringify({ ...valid, version: 1.5 }), 'version: '],
    ['an unsafe version', JSON.stringify({ ...valid, version: 2 ** 60 }), 'version: '],
    ['a row that is a string', JSON.stringify({ ...valid, row: 'x' }), 'row: '],
    ['a tenant of 65 characters', JSON.stringify({ ...valid, tenant: 'a'.repeat(65) }), 'tenant: '],
    ['over 64 KiB', JSON.stringify({ ...valid, row: { pad: 'x'.repeat(70_000) } }), 'value over 65536 bytes'],
  ])('refuses %s with the reason', (_name, value, reason) => {
    expect(() => parseMetricUpdate(value)).toThrow(InvalidMetricUpdateError);
    expect(() => parseMetricUpdate(value)).toThrow(reason);
  });
});

describe('updateEntityKey', () => {
  it('puts the windows and the gauge of a queue, and the windows of a meter, on one key each', () => {
    const q = (kind: 'queue_stats_1m' | 'queue_gauge', id: string) =>
      updateEntityKey({ id, kind, tenant: 'acme', version: 1, row: { queue: 'sales' } });
    expect(q('queue_stats_1m', 'acme/queue_stats_1m/sales/1')).toBe('acme/queue/sales');
    expect(q('queue_gauge', 'acme/queue_gauge/sales')).toBe('acme/queue/sales');
    expect(
      updateEntityKey({ id: 'x', kind: 'meter_energy_15m', tenant: 'acme', version: 1, row: { meter_id: 'm-1' } }),
    ).toBe('acme/meter/m-1');
    expect(updateEntityKey({ id: 'acme/alert/r/queue/q/1', kind: 'alert', tenant: 'acme', version: 1, row: {} })).toBe(
      'acme/alert/r/queue/q/1',
    );
  });
});
