import type { AgentStatusValue } from '@switchboard/domain';
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
  status: AgentStatusValue;
  /** When the current status ends (busy → wrap_up → available, break → available). */
  until: number;
  callId?: string;
}

interface WaitingCall {
  callId: string;
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

  const agents: Agent[] = Array.from({ length: opts.agents }, (_, i) => ({
    id: `agent-${String(i + 1).padStart(3, '0')}`,
    status: 'offline',
    until: opts.start + rng.int(0, 120) * 1000,
  }));
  const meters: Meter[] = Array.from({ length: opts.meters }, (_, i) => ({
    id: `meter-${String(i + 1).padStart(4, '0')}`,
    energyWh: rng.int(1_000, 5_000_000) + rng.int(0, 999) / 1000,
    ratedW: 2_000 + rng.next() * 48_000,
    next: opts.start + Math.floor(rng.next() * opts.meterIntervalMs),
  }));
  const waiting: WaitingCall[] = [];
  const held: Emission[] = []; // late and out-of-order readings, released at their sendAt
  let callNo = 0;

  for (let now = opts.start; now < end; now += TICK_MS) {
    const out: Emission[] = [];
    const emit = (event: SimEvent) => out.push({ sendAt: now, event });

    // Agents: log on, finish wrap-up, come back from break, sometimes take one.
    for (const a of agents) {
      if (now < a.until) continue;
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
      if (a.status === 'available' && rng.chance(1 / 3600)) {
        a.status = 'break';
        a.until = now + rng.int(5, 15) * 60_000;
        emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'break' });
      }
    }

    // Arrivals: Poisson, shaped by the time of day, spread over the queues.
    const arrivals = rng.poisson((opts.callsPerMinute / 60) * (TICK_MS / 1000) * callLoad(now));
    for (let i = 0; i < arrivals; i++) {
      const callId = `call-${run}-${(callNo++).toString(36)}`;
      const queue = rng.pick(opts.queues);
      waiting.push({ callId, started: now, abandonAt: now + Math.round(rng.exponential(90_000)) });
      emit({ type: 'call.started', ts: now, id: id('c'), callId, queue });
    }

    // Abandons, then answers in arrival order (one queue of agents serving every queue).
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].abandonAt <= now) {
        emit({ type: 'call.ended', ts: now, id: id('c'), callId: waiting[i].callId });
        waiting.splice(i, 1);
      }
    }
    for (const a of agents) {
      if (waiting.length === 0) break;
      if (a.status !== 'available') continue;
      const call = waiting.shift() as WaitingCall;
      a.status = 'busy';
      a.callId = call.callId;
      a.until = now + Math.max(10_000, Math.round(rng.logNormal(180_000, 0.6)));
      emit({ type: 'call.answered', ts: now, id: id('c'), callId: call.callId, agentId: a.id });
      emit({ type: 'agent.status', ts: now, id: id('a'), agentId: a.id, status: 'busy' });
    }

    // Meters: integrate power over the interval; occasionally a reset, a duplicate, a late or swapped reading.
    for (const m of meters) {
      if (now < m.next) continue;
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
      if (rng.chance(opts.anomalies.late)) held.push({ sendAt: now + opts.lateByMs, event: reading });
      else if (rng.chance(opts.anomalies.outOfOrder)) held.push({ sendAt: m.next + TICK_MS, event: reading });
      else emit(reading);
      if (rng.chance(opts.anomalies.duplicate)) emit({ ...reading });
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
