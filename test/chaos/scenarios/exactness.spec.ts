import { exactness } from './exactness';

const rows = (...entries: Array<[string, string]>) => new Map(entries);

describe('exactness of a chaos run', () => {
  it('finds nothing when the stored rows equal the recomputation', () => {
    const expected = rows(['m1@0', '10|4|2|0'], ['m2@0', '5|2|1|0']);
    expect(exactness([{ table: 'meter_energy_15m', expected, stored: new Map(expected), countColumn: 1 }])).toEqual({
      rowsCompared: 2,
      rowsDiffering: 0,
      lost: 0,
      doubled: 0,
      firstDifferences: [],
    });
  });

  it('counts the events of a missing row as lost and those of an extra count as doubled', () => {
    const report = exactness([
      {
        table: 'meter_energy_15m',
        expected: rows(['m1@0', '10|4|2|0'], ['m2@0', '5|2|1|0']),
        stored: rows(['m1@0', '12|5|2|0']),
        countColumn: 1,
      },
      { table: 'queue_stats_1m', expected: rows(['q@0', '3|2|1']), stored: rows(['q@0', '1|1|0']), countColumn: 0 },
      { table: 'agent_status', expected: rows(['a1', 'ready']), stored: rows(['a1', 'busy']) },
    ]);
    expect(report).toMatchObject({ rowsCompared: 4, rowsDiffering: 4, lost: 2 + 2, doubled: 1 });
    expect(report.firstDifferences.map((d) => `${d.table} ${d.row}`)).toEqual([
      'meter_energy_15m m1@0',
      'meter_energy_15m m2@0',
      'queue_stats_1m q@0',
      'agent_status a1',
    ]);
  });

  it('keeps only the first few differences', () => {
    const expected = rows(...Array.from({ length: 9 }, (_, i) => [`m${i}@0`, '1|1|0|0'] as [string, string]));
    const report = exactness([{ table: 'meter_energy_15m', expected, stored: new Map(), countColumn: 1 }], 3);
    expect({ lost: report.lost, kept: report.firstDifferences.length }).toEqual({ lost: 9, kept: 3 });
  });
});
