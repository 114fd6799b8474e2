import { parseEvent } from '@switchboard/domain';
import { DEFAULT_SIMULATION, type Emission, type SimulationOptions, simulate } from './generator';

const START = Date.UTC(2025, 5, 2, 8, 0, 0);
const opts = (over: Partial<SimulationOptions> = {}): SimulationOptions => ({
  ...DEFAULT_SIMULATION,
  seed: 7,
  start: START,
  durationMs: 2 * 3600_000,
  callsPerMinute: 10,
  agents: 45,
  meterIntervalMs: 15_000,
  ...over,
});
const run = (o: SimulationOptions): Emission[] => [...simulate(o)];

describe('simulate', () => {
  const emissions = run(opts());
  const events = emissions.map((e) => e.event);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(run(opts())).toEqual(emissions);
    expect(run(opts({ seed: 8 }))).not.toEqual(emissions);
  });

  it('never reuses a call id in another run (another start): the aggregator would take it for the same call', () => {
    const callIds = (list: Emission[]) => new Set(list.flatMap((e) => ('callId' in e.event ? [e.event.callId] : [])));
    const mine = callIds(emissions);
    const later = callIds(run(opts({ start: START + 3600_000 })));
    expect(mine.size).toBeGreaterThan(0);
    expect([...later].filter((id) => mine.has(id))).toEqual([]);
  });

  it('produces only events the ingest API accepts', () => {
    for (const e of events) {
      const r = parseEvent(e);
      if (!r.ok) throw new Error(`${JSON.stringify(e)}: ${r.error}`);
    }
  });

  it('yields in send order, never before an event happened', () => {
    for (let i = 1; i < emissions.length; i++)
      expect(emissions[i].sendAt).toBeGreaterThanOrEqual(emissions[i - 1].sendAt);
    for (const e of emissions) expect(e.sendAt).toBeGreaterThanOrEqual(e.event.ts);
  });

  it('gives every call a consistent life: started, then answered and/or ended, once each', () => {
    const life = new Map<string, string[]>();
    for (const e of events) if ('callId' in e) life.set(e.callId, [...(life.get(e.callId) ?? []), e.type]);
    let answered = 0;
    let abandoned = 0;
    for (const steps of life.values()) {
      expect(steps[0]).toBe('call.started');
      expect([
        'call.started',
        'call.started,call.answered',
        'call.started,call.ended',
        'call.started,call.answered,call.ended',
      ]).toContain(steps.join(','));
      if (steps.includes('call.answered')) answered++;
      else if (steps.includes('call.ended')) abandoned++;
    }
    expect(life.size).toBeGreaterThan(500);
    expect(answered).toBeGreaterThan(abandoned);
    expect(abandoned).toBeGreaterThan(0);
  });

  it('produces meter readings with duplicates, out-of-order, late ones and register resets', () => {
    const o = opts({ anomalies: { duplicate: 0.02, outOfOrder: 0.02, late: 0.01, reset: 0.005 } });
    const readings = run(o).filter((e) => e.event.type === 'meter.reading');
    const byMeter = new Map<string, Emission[]>();
    for (const r of readings) {
      const id = (r.event as { meterId: string }).meterId;
      byMeter.set(id, [...(byMeter.get(id) ?? []), r]);
    }
    let dupes = 0;
    let outOfOrder = 0;
    let late = 0;
    let resets = 0;
    for (const list of byMeter.values()) {
      for (let i = 1; i < list.length; i++) {
        if (list[i].event.ts === list[i - 1].event.ts) dupes++;
        if (list[i].event.ts < list[i - 1].event.ts) outOfOrder++;
      }
      const sorted = [...new Map(list.map((r) => [r.event.ts, r.event as { energyWh: number }])).entries()].sort(
        (a, b) => a[0] - b[0],
      );
      for (let i = 1; i < sorted.length; i++) if (sorted[i][1].energyWh < sorted[i - 1][1].energyWh) resets++;
      late += list.filter((r) => r.sendAt - r.event.ts >= o.lateByMs).length;
    }
    expect(dupes).toBeGreaterThan(0);
    expect(outOfOrder).toBeGreaterThan(0);
    expect(late).toBeGreaterThan(0);
    expect(resets).toBeGreaterThan(0);
  });

  it('follows the time of day: more calls at the 10:30 peak than at 3 am', () => {
    const count = (h: number) =>
      run(opts({ start: Date.UTC(2025, 5, 2, h, 0, 0), durationMs: 3600_000, meters: 0 })).length;
    expect(count(10)).toBeGreaterThan(3 * count(3));
  });
});
