import { MeterWindows } from './meter-windows.spec-support';

// The energy between two readings belongs to the window of the later one, even when the gap spans several
// windows (energy is never spread over windows without readings); windows are half-open [start, end).
const T = Date.UTC(2026, 10, 25, 0, 0, 0);
const Q = 15 * 60_000;

describe('energy belongs to the window of the later reading', () => {
  it('puts a boundary-crossing difference and a 2-hour gap each in the later window', () => {
    const meter = new MeterWindows();
    meter.ingest({ meterId: 'm1', ts: T + Q - 1, energyWh: 10 }); // 00:14:59.999, window 00:00, baseline
    meter.ingest({ meterId: 'm1', ts: T + Q, energyWh: 10.25, powerW: 300 }); // 00:15:00.000, window 00:15
    meter.ingest({ meterId: 'm1', ts: T + 9 * Q + 60_000, energyWh: 12 }); // 02:16, window 02:15

    expect(meter.openRows().map((w) => [new Date(w.windowStart).toISOString(), w.energyMwh, w.readings])).toEqual([
      ['2026-11-25T00:00:00.000Z', 0, 1],
      ['2026-11-25T00:15:00.000Z', 250, 1],
      ['2026-11-25T02:15:00.000Z', 1_750, 1],
    ]);
  });
});
