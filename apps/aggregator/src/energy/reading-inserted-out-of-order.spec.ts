import type { MeterReading } from './meter-energy';
import { MeterWindows } from './meter-windows.spec-support';

// A reading that arrives late but within grace, between two known readings, takes its share of the energy from
// the next reading: the next reading's window is corrected, and the result equals the in-order result.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;
const r = (ts: number, energyWh: number): MeterReading => ({ meterId: 'm1', ts, energyWh });

describe('a reading inserted out of order', () => {
  const first = r(T + 14 * 60_000, 1_000); // window 0, baseline
  const middle = r(T + Q + 5 * 60_000, 1_000.4); // window 1
  const last = r(T + 2 * Q + 5 * 60_000, 1_001); // window 2

  it('moves the energy between the later windows and reports both as changed', () => {
    const meter = new MeterWindows();
    meter.ingest(first);
    const before = meter.ingest(last);
    expect(before.changed).toEqual([expect.objectContaining({ windowStart: T + 2 * Q, energyMwh: 1_000 })]);

    const inserted = meter.ingest(middle);
    expect(inserted.status).toBe('applied');
    expect(inserted.changed.map((w) => [w.windowStart, w.energyMwh, w.readings])).toEqual([
      [T + Q, 400, 1],
      [T + 2 * Q, 600, 1],
    ]);
  });

  it('ends exactly where in-order arrival ends', () => {
    const inOrder = new MeterWindows();
    for (const reading of [first, middle, last]) inOrder.ingest(reading);
    const outOfOrder = new MeterWindows();
    for (const reading of [last, middle, first]) outOfOrder.ingest(reading);
    expect(outOfOrder.openRows()).toEqual(inOrder.openRows());
    expect(outOfOrder.openRows().map((w) => w.energyMwh)).toEqual([0, 400, 600]);
  });

  it('re-attributes energy when a new baseline arrives before the first known reading', () => {
    const meter = new MeterWindows();
    meter.ingest(middle); // looks like the baseline for now
    const { changed } = meter.ingest(first);
    expect(changed.map((w) => [w.windowStart, w.energyMwh, w.readings])).toEqual([
      [T, 0, 1],
      [T + Q, 400, 1],
    ]);
  });
});
