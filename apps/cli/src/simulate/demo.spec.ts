import { parseEvent } from '@switchboard/domain';
import { agentsPerQueue, DEMO_SCENARIO, DEMO_SIMULATION, flooredLoad, queueIncidents, spikeWindows } from './demo';
import {
  callLoad,
  type Emission,
  type SimEvent,
  type SimulationOptions,
  simulate,
  simulationProperties,
} from './generator';

const MINUTE = 60_000;
const WINDOW = 15 * MINUTE;
const at = (h: number, m = 0) => Date.UTC(2026, 11, 2, h, m, 7);
const demo = (over: Partial<SimulationOptions> = {}): SimulationOptions => ({
  ...DEMO_SIMULATION,
  seed: 3,
  start: at(10),
  durationMs: 40 * MINUTE,
  ...over,
});
const run = (o: SimulationOptions): Emission[] => [...simulate(o)];
type Call = { queue: string; started: number; answered?: number; ended?: number };

function calls(emissions: Emission[]): Map<string, Call> {
  const out = new Map<string, Call>();
  for (const { event: e } of emissions) {
    if (e.type === 'call.started') out.set(e.callId, { queue: e.queue, started: e.ts });
    else if (e.type === 'call.answered') (out.get(e.callId) as Call).answered = e.ts;
    else if (e.type === 'call.ended') (out.get(e.callId) as Call).ended = e.ts;
  }
  return out;
}

function readings(emissions: Emission[]): Extract<SimEvent, { type: 'meter.reading' }>[] {
  return emissions.flatMap((e) => (e.event.type === 'meter.reading' ? [e.event] : []));
}

describe('the demo profile', () => {
  const o = demo();
  const emissions = run(o);
  const incidents = queueIncidents(o);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(run(demo())).toEqual(emissions);
    expect(run(demo({ seed: 4 }))).not.toEqual(emissions);
  });

  it('produces only events ingest accepts, in send order, none sent before it happened', () => {
    const window = { now: o.start + o.durationMs, maxPastMs: 7 * 86_400_000, maxFutureMs: 5 * MINUTE };
    for (let i = 0; i < emissions.length; i++) {
      const r = parseEvent(emissions[i].event, window);
      if (!r.ok) throw new Error(`${JSON.stringify(emissions[i].event)}: ${r.error}`);
      if (i > 0) expect(emissions[i].sendAt).toBeGreaterThanOrEqual(emissions[i - 1].sendAt);
      expect(emissions[i].sendAt).toBeGreaterThanOrEqual(emissions[i].event.ts);
    }
  });

  it('names every queue with an SLA and puts every meter on a named site with its time zone', () => {
    const props = simulationProperties(o);
    expect(props.queues).toHaveLength(7);
    for (const q of props.queues) {
      expect(q.name).not.toBe(q.queue);
      expect(q.slaSeconds).toBeGreaterThan(0);
    }
    expect(new Set(props.meters.map((m) => m.site))).toEqual(new Set(DEMO_SCENARIO.sites.map((s) => s.id)));
    expect(new Set(props.meters.map((m) => m.timezone))).toEqual(
      new Set(['Europe/London', 'Europe/Berlin', 'America/New_York']),
    );
    expect(new Set(props.meters.map((m) => m.name)).size).toBe(props.meters.length);
  });

  it('gives every queue its own agents, and has every queue and every agent status moving within a minute', () => {
    const staffing = agentsPerQueue([3, 3, 2, 1.5, 1, 1, 1], 50);
    expect(staffing.reduce((a, b) => a + b, 0)).toBe(50);
    expect(Math.min(...staffing)).toBeGreaterThanOrEqual(4);
    expect(staffing[0]).toBeGreaterThan(2 * staffing[6]);
    const firstMinute = emissions.filter((e) => e.sendAt < o.start + MINUTE).map((e) => e.event);
    const queuesWithCalls = new Set(firstMinute.flatMap((e) => (e.type === 'call.started' ? [e.queue] : [])));
    expect(queuesWithCalls).toEqual(new Set(o.queues));
    const agents = new Set(firstMinute.flatMap((e) => (e.type === 'agent.status' ? [e.agentId] : [])));
    expect(agents.size).toBe(50);
    const statuses = new Set(emissions.flatMap((e) => (e.event.type === 'agent.status' ? [e.event.status] : [])));
    expect(statuses).toEqual(new Set(['available', 'busy', 'wrap_up', 'break', 'offline']));
    const everyQueue = new Set([...calls(emissions).values()].filter((c) => c.answered).map((c) => c.queue));
    expect(everyQueue).toEqual(new Set(o.queues));
  });

  it('never lets the call load fall below the floor: a demo at 03:00 is busy in every ten minutes', () => {
    expect(callLoad(at(3))).toBeLessThan(0.1);
    expect(flooredLoad(callLoad(at(3)), DEMO_SCENARIO.loadFloor)).toBe(DEMO_SCENARIO.loadFloor);
    expect(flooredLoad(callLoad(at(10, 30)), DEMO_SCENARIO.loadFloor)).toBe(callLoad(at(10, 30)));
    const started = (start: number) =>
      [...calls(run(demo({ start, durationMs: 60 * MINUTE, meters: 0 }))).values()].map((c) => c.started - start);
    const night = started(at(3));
    // The floor alone: 0.7 × 7 calls a minute, 49 in ten (incidents' bursts and surges come on top).
    for (let b = 0; b < 6; b++) {
      const inBucket = night.filter((t) => t >= b * 10 * MINUTE && t < (b + 1) * 10 * MINUTE).length;
      expect(inBucket).toBeGreaterThan(0.7 * 49);
    }
    expect(started(at(10)).length).toBeGreaterThan(night.length);
  });

  it('runs the queue incidents on schedule: a queue at a time, its agents on break, then back', () => {
    expect(incidents.map((i) => (i.from - o.start) / MINUTE)).toEqual([1, 7, 13, 19, 25, 31, 37]);
    expect(new Set(incidents.map((i) => i.queue)).size).toBe(7);
    const staff = new Map<string, string>(); // agent → its queue, from the calls it answered
    const byCall = calls(emissions);
    for (const { event: e } of emissions)
      if (e.type === 'call.answered') staff.set(e.agentId, (byCall.get(e.callId) as Call).queue);
    for (const i of incidents.filter((x) => x.to + 5 * MINUTE < o.start + o.durationMs)) {
      const team = [...staff].filter(([, q]) => q === i.queue).map(([a]) => a);
      const status = new Map<string, string>();
      for (const { event: e } of emissions) {
        if (e.ts > i.from + 90_000) break;
        if (e.type === 'agent.status') status.set(e.agentId, e.status);
      }
      // Ninety seconds in, all but one of the queue's agents are on break (or still finishing their call).
      const away = team.filter((a) => ['break', 'busy', 'wrap_up'].includes(status.get(a) ?? '')).length;
      expect(away).toBeGreaterThanOrEqual(team.length - 1);
      expect(team.filter((a) => status.get(a) === 'break').length).toBeGreaterThanOrEqual(1);
      // Answers in the queue during the incident: only its one agent kept at work.
      const answering = new Set(
        emissions.flatMap(({ event: e }) =>
          e.type === 'call.answered' &&
          e.ts > i.from + 60_000 &&
          e.ts < i.to &&
          (byCall.get(e.callId) as Call).queue === i.queue
            ? [e.agentId]
            : [],
        ),
      );
      expect(answering.size).toBeLessThanOrEqual(1);
      // Somebody waits longer than the 120 s of queue_longest_wait_high; five minutes after it ends, nobody does.
      const mine = [...byCall.values()].filter((c) => c.queue === i.queue && c.started >= i.from && c.started < i.to);
      const waits = mine.map((c) => (c.answered ?? c.ended ?? Number.POSITIVE_INFINITY) - c.started);
      expect(Math.max(...waits)).toBeGreaterThan(120_000);
      const t = i.to + 5 * MINUTE;
      const stillWaiting = [...byCall.values()].filter(
        (c) => c.queue === i.queue && c.started <= t && (c.answered ?? c.ended ?? Number.POSITIVE_INFINITY) > t,
      );
      for (const c of stillWaiting) expect(t - c.started).toBeLessThan(120_000);
    }
  });

  it('backfills two hours of meter readings, then reads live; a restarted demo sends the same readings', () => {
    const all = readings(emissions);
    const past = all.filter((r) => r.ts < o.start);
    expect(past.length).toBe(o.meters * 120);
    expect(Math.min(...past.map((r) => r.ts))).toBeGreaterThanOrEqual(o.start - DEMO_SCENARIO.backfillMs);
    const later = readings(run(demo({ start: o.start + 17 * MINUTE + 3_000 })));
    const mine = new Map(all.map((r) => [`${r.meterId}@${r.ts}`, r.energyWh]));
    const overlap = later.filter((r) => mine.has(`${r.meterId}@${r.ts}`));
    expect(overlap.length).toBeGreaterThan(o.meters * 100);
    for (const r of overlap) expect(r.energyWh).toBe(mine.get(`${r.meterId}@${r.ts}`));
  });

  it('spikes one meter at a time to more than 3× its mean for one 15-minute window, registers never going back', () => {
    const all = readings(run(demo({ anomalies: { duplicate: 0, outOfOrder: 0, late: 0, reset: 0 } })));
    const from = Math.ceil((o.start - DEMO_SCENARIO.backfillMs) / WINDOW) * WINDOW;
    const end = Math.floor((o.start + o.durationMs) / WINDOW) * WINDOW;
    let spikes = 0;
    for (let m = 0; m < o.meters; m++) {
      const id = `meter-${String(m + 1).padStart(4, '0')}`;
      const mine = all.filter((r) => r.meterId === id).sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < mine.length; i++) expect(mine[i].energyWh).toBeGreaterThanOrEqual(mine[i - 1].energyWh);
      // Energy per window: the register's difference over the window's readings.
      const energy = (w: number) => {
        const inside = mine.filter((r) => r.ts >= w - MINUTE && r.ts < w + WINDOW);
        return (inside.at(-1)?.energyWh ?? 0) - (inside[0]?.energyWh ?? 0);
      };
      const windows = Array.from({ length: (end - from) / WINDOW }, (_, k) => from + k * WINDOW);
      const spiking = new Set(spikeWindows(DEMO_SCENARIO, m, o.meters, from, end));
      const normal = windows.filter((w) => !spiking.has(w)).map(energy);
      const mean = normal.reduce((a, b) => a + b, 0) / normal.length;
      for (const w of spiking) {
        expect(energy(w)).toBeGreaterThan(3 * mean);
        spikes++;
      }
      for (const e of normal) expect(e).toBeLessThan(2 * mean);
    }
    // Every other window (of absolute time) one meter in turn, the others none.
    let expected = 0;
    for (let w = from; w < end; w += WINDOW) {
      const who = [...Array(o.meters).keys()].filter((m) => spikeWindows(DEMO_SCENARIO, m, o.meters, w, w + 1).length);
      const even = (w / WINDOW) % DEMO_SCENARIO.spikes.everyWindows === 0;
      expect(who).toHaveLength(even ? 1 : 0);
      if (even) expected++;
    }
    expect(spikes).toBe(expected);
    expect(spikes).toBeGreaterThanOrEqual(4);
  });
});
