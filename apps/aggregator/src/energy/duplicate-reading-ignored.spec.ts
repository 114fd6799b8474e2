import { MeterWindows } from './meter-windows.spec-support';

// A second reading with the same (meter, ts) is a duplicate: ignored, even when its values differ (the first one
// received stays), so retries from head-end systems never double-count.
const T = Date.UTC(2026, 10, 25, 0, 0, 0);

describe('a duplicate reading is ignored', () => {
  it('keeps the first reading and reports the second as a duplicate without changes', () => {
    const meter = new MeterWindows();
    meter.ingest({ meterId: 'm1', ts: T, energyWh: 500 });
    meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 501.5, powerW: 900 });
    const before = meter.openRows();

    const nothing = { status: 'duplicate', changed: [], closed: [], corrections: { retract: [], add: [] } };
    expect(meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 501.5, powerW: 900 })).toEqual(nothing);
    expect(meter.ingest({ meterId: 'm1', ts: T + 60_000, energyWh: 777, powerW: 5_000 })).toEqual(nothing);
    expect(meter.openRows()).toEqual(before);
    expect(before).toEqual([expect.objectContaining({ energyMwh: 1_500, readings: 2, maxPowerW: 900 })]);
  });
});
