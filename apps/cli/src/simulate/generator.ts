import type { AgentStatusValue } from '@switchboard/domain';
import {
  agentsPerQueue,
  type DemoMeter,
  type DemoScenario,
  demoMeterPlace,
  demoQueue,
  demoReading,
  flooredLoad,
  openingCalls,
  queueIncidents,
} from './demo';
import { Rng } from './rng';

/** An event as the simulator sends it (the wire shape of POST /v1/events). */
export type SimEvent =
  | { type: 'call.started'; ts: number; id: string; callId: string; queue: string }
  | { type: 'call.answered'; ts: number; id: string; callId: string; agentId: string }
  | { type: 'call.ended'; ts: number; id: string; callId: string }
  | { type: 'agent.status'; ts: number; id: string; agentId: string; status: AgentStatusValue }
  | { type: 'meter.reading'; ts: number; id: string; meterId: string; energyWh: number; powerW: number };

/** An event and the simulated moment it is sent (later than `ts` for late and out-of-order readings). */
export interface Emission {
  sendAt: number;
  event: SimEvent;
}

export interface SimulationOptions {
  seed: number;
  /** Simulated start, epoch ms. */
  start: number;
  durationMs: number;
  queues: string[];
  agents: number;
  /** Call arrivals per minute at the daily peak, over all queues. */
  callsPerMinute: number;
  meters: number;
  meterIntervalMs: number;
  /** Probabilities per meter reading. */
  anomalies: { duplicate: number; outOfOrder: number; late: number; reset: number };
  /** How long a late reading is held back (beyond a typical grace). */
  lateByMs: number;
  /** The demo's queues, sites, floor, incidents, spikes and backfill (`DEMO_SIMULATION`); absent: none of these. */
  demo?: DemoScenario;
}

export const DEFAULT_SIMULATION: Omit<SimulationOptions, 'seed' | 'start'> = {
  durationMs: 3600_000,
  queues: ['sales', 'support', 'billing'],
  agents: 25,
  callsPerMinute: 6,
  meters: 20,
  meterIntervalMs: 60_000,
  anomalies: { duplicate: 0.005, outOfOrder: 0.005, late: 0.002, reset: 0.0005 },
  lateByMs: 20 * 60_000,
};

/** What the simulator PUTs before its events: a name and SLA per queue, a name, site and time zone per meter. */
export interface SimulationProperties {
  queues: Array<{ queue: string; name: string; slaSeconds: number }>;
  meters: Array<{ meterId: string; name: string; site: string; timezone: string }>;
}

const SITES = ['site-1', 'site-2', 'site-3'];

export function simulationProperties(
  opts: Pick<SimulationOptions, 'queues' | 'meters' | 'demo'>,
): SimulationProperties {
  const demo = opts.demo;
  return {
    queues: opts.queues.map((queue, i) => {
      if (demo) {
        const q = demoQueue(demo, queue, i);
        return { queue, name: q.name, slaSeconds: q.slaSeconds };
      }
      return { queue, name: queue[0].toUpperCase() + queue.slice(1), slaSeconds: [20, 30, 60][i % 3] };
    }),
    meters: Array.from({ length: opts.meters }, (_, i) => {
      const meterId = meterIdOf(i);
      if (demo) {
        const { site, name } = demoMeterPlace(demo, i);
        return { meterId, name, site: site.id, timezone: site.timezone };
      }
      return { meterId, name: `Meter ${i + 1}`, site: SITES[i % SITES.length], timezone: 'Europe/London' };
    }),
  };
}

const meterIdOf = (i: number) => `meter-${String(i + 1).padStart(4, '0')}`;

const TICK_MS = 1000;
const HOUR = 3600_000;

/** Contact-centre traffic through the day: quiet at night, a morning peak, a dip at lunch, an afternoon peak. */
export function callLoad(ts: number): number {
  const h = (ts % (24 * HOUR)) / HOUR;
  const bump = (centre: number, width: number) => Math.exp(-((h - centre) ** 2) / (2 * width ** 2));
  return Math.min(1, 0.05 + 0.95 * bump(10.5, 1.8) + 0.8 * bump(15, 1.6) - 0.25 * bump(12.75, 0.6));
}

/** Building load: a base load, occupied hours, an evening shoulder. */
export function meterLoad(ts: number): number {
  const h = (ts % (24 * HOUR)) / HOUR;
  const occupied = h >= 7 && h < 19 ? 1 : 0;
  return 0.25 + 0.6 * occupied + 0.15 * Math.exp(-((h - 19.5) ** 2) / 2);
}

interface Agent {
  id: string;
  /** The queue it serves (demo); absent: every queue. */
  queue?: string;
  /** Stays at work through its queue's incidents. */
  kept?: boolean;
  status: AgentStatusValue;
  /** When the current status ends (busy → wrap_up → available, break → available). */
  until: number;
  callId?: string;
}

interface WaitingCall {
  callId: string;
  queue: string;
  started: number;
  abandonAt: number;
}

interface Meter {
  id: string;
  energyWh: number;
  ratedW: number;
  next: number;
}

/**
 * A deterministic simulation: the same options (seed and start included) give the same emissions, in
 * the same order. Pure: no clock, no I/O. Yields emissions in `sendAt` order.
 */
export function* simulate(opts: SimulationOptions): Generator<Emission> {
  const rng = new Rng(opts.seed);
  const end = opts.start + opts.durationMs;
  let seq = 0;
  // Ids name the run (seed and start): the same run repeats exactly, and another run never reuses a call id (a
  // call id seen again would be the same call to the aggregator: its transitions would conflict, not count).
  const run = `${opts.seed}-${Math.floor(opts.start / 1000).toString(36)}`;
  const id = (prefix: string) => `sim-${run}-${prefix}-${(seq++).toString(36)}`;

  const demo = opts.demo;
  const weights = demo ? opts.queues.map((q, i) => demoQueue(demo, q, i).weight) : [];
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const staffing = demo ? agentsPerQueue(weights, opts.agents) : [];
  const agentQueue = (i: number): Pick<Agent, 'queue' | 'kept'> => {
    for (let q = 0, first = 0; q < staffing.length; first += staffing[q++]) {
      if (i < first + staffing[q])
        return { queue: opts.queues[q], kept: i - first < (demo?.incidents.agentsKept ?? 0) };
    }
    return {};
  };
  const logOnS = demo ? Math.floor(demo.logOnWithinMs / 1000) : 120;
  const agents: Agent[] = Array.from({ length: opts.agents }, (_, i) => ({
    id: `agent-${String(i + 1).padStart(3, '0')}`,
    status: 'offline',
    until: opts.start + rng.int(0, logOnS) * 1000,
    ...agentQueue(i),
  }));
  const meters: Meter[] = Array.from({ length: opts.meters }, (_, i) => ({
    id: meterIdOf(i),
    energyWh: rng.int(1_000, 5_000_000) + rng.int(0, 999) / 1000,
    ratedW: 2_000 + rng.next() * 48_000,
    next: opts.start + Math.floor(rng.next() * opts.meterIntervalMs),
  }));
  // Demo meters: on a grid of absolute time, their registers a function of it (a restart sends the same readings).
  const demoMeters: DemoMeter[] = demo
    ? meters.map((m, index) => {
        const phase = m.next - opts.start;
        m.next = phase + Math.ceil((opts.start - phase) / opts.meterIntervalMs) * opts.meterIntervalMs;
        return {
          index,
          id: m.id,
          ...demoMeterPlace(demo, index),
          baseWh: m.energyWh,
          ratedW: m.ratedW,
          phase,
          wobblePhase: rng.next() * 2 * Math.PI,
        };
      })
    : [];
  const incidents = queueIncidents(opts);
  const opening = demo ? openingCalls(demo, opts.queues) : [];
  const waiting: WaitingCall[] = [];
  const held: Emission[] = []; // late and out-of-order readings, released at their sendAt
  let callNo = 0;

  for (let now = opts.start; now < end; now += TICK_MS) {
    const out: Emission[] = [];
    const emit = (event: SimEvent) => out.push({ sendAt: now, event });
    const meterReading = (m: DemoMeter, ts: number): SimEvent => ({
      type: 'meter.reading',
      ts,
      id: id('r'),
      meterId: m.id,
      ...demoReading(demo as DemoScenario, m, demoMeters.length, ts),
    });

    // Demo: the meters' last hours first, in time order, so the spike rule has its baseline at once.
    if (demo && now === opts.start && demo.backfillMs > 0) {
      const past: Array<[number, DemoMeter]> = [];
      for (const m of demoMeters) {
        const from = opts.start - demo.backfillMs;
        const first = m.phase + Math.ceil((from - m.phase) / opts.meterIntervalMs) * opts.meterIntervalMs;
        for (let ts = first; ts < opts.start; ts += opts.meterIntervalMs) past.push([ts, m]);
      }
      past.sort((a, b) => a[0] - b[0] || a[1].index - b[1].index);
      for (const [ts, m] of past) emit(meterReading(m, ts));
    }
    while (incidents.length > 0 && incidents[0].to <= now) incidents.shift();
    const incident = incidents[0] && incidents[0].from <= now ? incidents[0] : undefined;
    const sentAway = (a: Agent) => incident !== undefined && a.queue === incident.queue && !a.kept;
    const toBreak = (a: Agent, until: number) => {
      a.status = 'break';
      a.until = until;
      emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'break' });
    };

    // Agents: log on, finish wrap-up, come back from break, sometimes take one.
    for (const a of agents) {
      if (demo && a.status === 'available') {
        // Demo: an incident sends the queue's agents to break; otherwise breaks and log-offs now and then.
        if (incident && sentAway(a)) toBreak(a, incident.to);
        else if (rng.chance(demo.breakChance)) toBreak(a, now + rng.int(5, 15) * 60_000);
        else if (rng.chance(demo.logOffChance)) {
          a.status = 'offline';
          a.until = now + rng.int(10, 30) * 60_000;
          emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'offline' });
        }
        continue;
      }
      if (now < a.until) continue;
      if (incident && sentAway(a) && a.status !== 'busy') {
        // Back from wrap-up, a break or logging on during the incident: (still) on break until it ends.
        if (a.status === 'break') a.until = incident.to;
        else toBreak(a, incident.to);
        continue;
      }
      if (a.status === 'offline' || a.status === 'break' || a.status === 'wrap_up') {
        a.status = 'available';
        a.until = Number.POSITIVE_INFINITY;
        emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'available' });
      } else if (a.status === 'busy' && a.callId) {
        emit({ type: 'call.ended', ts: now, id: id('c'), callId: a.callId });
        a.callId = undefined;
        a.status = 'wrap_up';
        a.until = now + Math.round(rng.exponential(20_000)) + 5_000;
        emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'wrap_up' });
      }
      if (!demo && a.status === 'available' && rng.chance(1 / 3600)) {
        a.status = 'break';
        a.until = now + rng.int(5, 15) * 60_000;
        emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'break' });
      }
    }

    // Arrivals: Poisson, shaped by the time of day (demo: with a floor, by the queues' weights, an incident's
    // queue surging), spread over the queues.
    const load = demo ? flooredLoad(callLoad(now), demo.loadFloor) : callLoad(now);
    const mean = (opts.callsPerMinute / 60) * (TICK_MS / 1000) * load;
    const arrive = (queue: string, holdsOn = false) => {
      const callId = `call-${run}-${(callNo++).toString(36)}`;
      const patience = holdsOn ? rng.int(150, 300) * 1000 : Math.round(rng.exponential(demo?.patienceMs ?? 90_000));
      waiting.push({ callId, queue, started: now, abandonAt: now + patience });
      emit({ type: 'call.started', ts: now, id: id('c'), callId, queue });
    };
    while (opening.length > 0 && opening[0].atMs <= now - opts.start)
      arrive((opening.shift() as { queue: string }).queue);
    const arrivals = rng.poisson(mean);
    for (let i = 0; i < arrivals; i++)
      arrive(demo ? pickWeighted(rng, opts.queues, weights, weightTotal) : rng.pick(opts.queues));
    if (demo && incident) {
      if (now - incident.from < TICK_MS) for (let i = 0; i < demo.incidents.burst; i++) arrive(incident.queue, true);
      const share = weights[opts.queues.indexOf(incident.queue)] / weightTotal;
      const surge = rng.poisson(mean * share * (demo.incidents.surge - 1));
      for (let i = 0; i < surge; i++) arrive(incident.queue);
    }

    // Abandons, then answers in arrival order (one queue of agents serving every queue; demo: each agent its own).
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].abandonAt <= now) {
        emit({ type: 'call.ended', ts: now, id: id('c'), callId: waiting[i].callId });
        waiting.splice(i, 1);
      }
    }
    for (const a of agents) {
      if (waiting.length === 0) break;
      if (a.status !== 'available') continue;
      const at = a.queue === undefined ? 0 : waiting.findIndex((c) => c.queue === a.queue);
      if (at < 0) continue;
      const [call] = waiting.splice(at, 1);
      a.status = 'busy';
      a.callId = call.callId;
      a.until = now + Math.max(10_000, Math.round(rng.logNormal(demo?.talkMedianMs ?? 180_000, 0.6)));
      emit({ type: 'call.answered', ts: now, id: id('c'), callId: call.callId, agentId: a.id });
      emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'busy' });
    }

    /** A reading goes out now, or late, or after the meter's next one (out of order), and now and then twice. */
    const send = (reading: SimEvent, next: number) => {
      if (rng.chance(opts.anomalies.late)) held.push({ sendAt: now + opts.lateByMs, event: reading });
      else if (rng.chance(opts.anomalies.outOfOrder)) held.push({ sendAt: next + TICK_MS, event: reading });
      else emit(reading);
      if (rng.chance(opts.anomalies.duplicate)) emit({ ...reading });
    };
    // Meters: integrate power over the interval; occasionally a reset, a duplicate, a late or swapped reading.
    for (const [i, m] of meters.entries()) {
      if (now < m.next) continue;
      if (demo) {
        // On its grid: the reading of its own ts (at most a tick before now).
        const reading = meterReading(demoMeters[i], m.next);
        m.next += opts.meterIntervalMs;
        send(reading, m.next);
        continue;
      }
      const powerW = Math.round(m.ratedW * meterLoad(now) * (0.85 + 0.3 * rng.next()) * 10) / 10;
      if (rng.chance(opts.anomalies.reset)) m.energyWh = 0;
      m.energyWh = Math.round((m.energyWh + (powerW * opts.meterIntervalMs) / HOUR) * 1000) / 1000;
      const reading: SimEvent = {
        type: 'meter.reading',
        ts: now,
        id: id('r'),
        meterId: m.id,
        energyWh: m.energyWh,
        powerW,
      };
      m.next = now + opts.meterIntervalMs;
      send(reading, m.next);
    }

    // Held readings due now go out after this tick's own events (so they arrive out of order).
    for (let i = 0; i < held.length; i++) {
      if (held[i].sendAt <= now) {
        out.push({ sendAt: now, event: held[i].event });
        held.splice(i--, 1);
      }
    }
    yield* out;
  }
}

function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[], total: number): T {
  let x = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i];
    if (x < 0) return items[i];
  }
  return items[items.length - 1];
}
