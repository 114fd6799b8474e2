import type { SimulationOptions } from './generator';

/**
 * The demo that looks alive (`switchboard simulate --profile demo`, what `npm start` and `docker compose up` run):
 * named queues with their own agents and SLAs, meters grouped into sites, a call load with a floor (a demo started
 * at 03:00 still moves), scripted queue incidents and meter spikes that raise and resolve alerts within minutes,
 * and a backfill of the meters' last hours so the spike rule has its baseline from the start.
 */
export interface DemoQueue {
  id: string;
  name: string;
  slaSeconds: number;
  /** Share of the calls, and of the agents. */
  weight: number;
}

export interface DemoSite {
  id: string;
  name: string;
  timezone: string;
  /** The site's standard offset from UTC: its buildings' day (fixed, so a register never jumps at DST). */
  utcOffsetHours: number;
  /** Names of its meters, in order (meters beyond the list are `Meter <n>`). */
  meterNames: string[];
}

export interface DemoScenario {
  queues: DemoQueue[];
  sites: DemoSite[];
  /** The call load never falls below this fraction of the daily peak. */
  loadFloor: number;
  /** Median talk time (log-normal); callers' mean patience before they hang up. */
  talkMedianMs: number;
  patienceMs: number;
  /** Callers already on the line when the demo starts, per queue (over its first 40 s): every queue moves at once. */
  openingCallsPerQueue: number;
  /** Every agent logs on within this long after the start. */
  logOnWithinMs: number;
  /** Per second, an available agent's chance to take a break (5–15 min) or to log off (10–30 min). */
  breakChance: number;
  logOffChance: number;
  /**
   * Queue incidents: from `firstAtMs` after the start, every `everyMs`, the next queue (in turn, from one the seed
   * picks) loses all but `agentsKept` of its agents to `break` for `durationMs`, while `burst` callers ring at once
   * (an outage in their street; they hold on for 150–300 s) and its calls arrive `surge` × as often. Longest wait and service level break
   * their thresholds, and recover once the agents are back.
   */
  incidents: {
    firstAtMs: number;
    everyMs: number;
    durationMs: number;
    agentsKept: number;
    burst: number;
    surge: number;
  };
  /**
   * Meter spikes: every `everyWindows` 15-minute windows (of absolute time), one meter in turn draws `factor` × its
   * rated power more for one window.
   */
  spikes: { everyWindows: number; factor: number };
  /** Meter readings of this long before the start, sent at the start (the spike rule needs ≥ 4 final windows). */
  backfillMs: number;
}

export const DEMO_SCENARIO: DemoScenario = {
  queues: [
    { id: 'sales', name: 'Sales', slaSeconds: 20, weight: 3 },
    { id: 'support', name: 'Technical support', slaSeconds: 30, weight: 3 },
    { id: 'billing', name: 'Billing', slaSeconds: 30, weight: 2 },
    { id: 'outages', name: 'Outage line', slaSeconds: 15, weight: 1.5 },
    { id: 'moving-home', name: 'Moving home', slaSeconds: 60, weight: 1 },
    { id: 'smart-meters', name: 'Smart meters', slaSeconds: 45, weight: 1 },
    { id: 'retention', name: 'Retention', slaSeconds: 20, weight: 1 },
  ],
  sites: [
    {
      id: 'london-hq',
      name: 'London HQ',
      timezone: 'Europe/London',
      utcOffsetHours: 0,
      meterNames: ['Main incomer', 'HVAC', 'Lighting', 'Data room', 'EV chargers'],
    },
    {
      id: 'manchester-cc',
      name: 'Manchester contact centre',
      timezone: 'Europe/London',
      utcOffsetHours: 0,
      meterNames: ['Main incomer', 'HVAC', 'Lighting', 'Kitchen'],
    },
    {
      id: 'berlin-office',
      name: 'Berlin office',
      timezone: 'Europe/Berlin',
      utcOffsetHours: 1,
      meterNames: ['Main incomer', 'Heat pump', 'Lighting'],
    },
    {
      id: 'new-york-office',
      name: 'New York office',
      timezone: 'America/New_York',
      utcOffsetHours: -5,
      meterNames: ['Main incomer', 'Chillers', 'Lighting'],
    },
  ],
  loadFloor: 0.7,
  talkMedianMs: 150_000,
  patienceMs: 180_000,
  openingCallsPerQueue: 2,
  logOnWithinMs: 30_000,
  breakChance: 1 / 7200,
  logOffChance: 1 / 14_400,
  incidents: { firstAtMs: 60_000, everyMs: 6 * 60_000, durationMs: 4 * 60_000, agentsKept: 1, burst: 4, surge: 2 },
  spikes: { everyWindows: 2, factor: 4 },
  backfillMs: 2 * 3600_000,
};

export const DEMO_SIMULATION: Omit<SimulationOptions, 'seed' | 'start'> = {
  durationMs: 24 * 3600_000,
  queues: DEMO_SCENARIO.queues.map((q) => q.id),
  agents: 50,
  callsPerMinute: 7,
  meters: DEMO_SCENARIO.sites.reduce((n, s) => n + s.meterNames.length, 0),
  meterIntervalMs: 60_000,
  anomalies: { duplicate: 0.002, outOfOrder: 0.002, late: 0.001, reset: 0 },
  lateByMs: 20 * 60_000,
  demo: DEMO_SCENARIO,
};

const MINUTE = 60_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
export const ENERGY_WINDOW_MS = 15 * MINUTE;

export function demoQueue(demo: DemoScenario, id: string, index: number): DemoQueue {
  return (
    demo.queues.find((q) => q.id === id) ?? {
      id,
      name: id[0].toUpperCase() + id.slice(1),
      slaSeconds: [20, 30, 60][index % 3],
      weight: 1,
    }
  );
}

/** Agents per queue, in proportion to the queues' weights (largest remainder), at least 2 each when there are enough. */
export function agentsPerQueue(weights: readonly number[], agents: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const min = agents >= 2 * weights.length ? 2 : 0;
  const spare = agents - min * weights.length;
  const exact = weights.map((w) => (spare * w) / total);
  const counts = exact.map((x) => min + Math.floor(x));
  let left = agents - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    counts[i]++;
  }
  return counts;
}

export interface QueueIncident {
  queue: string;
  from: number;
  to: number;
}

/** The scripted queue incidents of a run, in time order. */
export function queueIncidents(opts: SimulationOptions): QueueIncident[] {
  const demo = opts.demo;
  if (!demo || opts.queues.length === 0) return [];
  const { firstAtMs, everyMs, durationMs } = demo.incidents;
  const out: QueueIncident[] = [];
  const first = opts.seed % opts.queues.length;
  for (let k = 0; opts.start + firstAtMs + k * everyMs < opts.start + opts.durationMs; k++) {
    const from = opts.start + firstAtMs + k * everyMs;
    out.push({ queue: opts.queues[(first + k) % opts.queues.length], from, to: from + durationMs });
  }
  return out;
}

/** When each opening caller of the demo rings, relative to the start: every queue's within its first 40 s. */
export function openingCalls(demo: DemoScenario, queues: readonly string[]): Array<{ atMs: number; queue: string }> {
  const out: Array<{ atMs: number; queue: string }> = [];
  for (let k = 0; k < demo.openingCallsPerQueue; k++)
    for (const [i, queue] of queues.entries()) out.push({ atMs: (k * queues.length + i) * 2_000, queue });
  return out.filter((c) => c.atMs < 40_000).sort((a, b) => a.atMs - b.atMs);
}

/** Contact-centre load with the demo's floor. */
export function flooredLoad(load: number, floor: number): number {
  return Math.max(floor, load);
}

// --- Meters: the register is a function of absolute time, so a restarted demo re-sends the same readings. ---

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 for erf, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The building's load at a local hour, as `meterLoad`: a base, occupied hours, an evening shoulder. */
export function buildingLoad(localHour: number): number {
  const occupied = localHour >= 7 && localHour < 19 ? 1 : 0;
  return 0.25 + 0.6 * occupied + 0.15 * Math.exp(-((localHour - 19.5) ** 2) / 2);
}

/** ∫₀^h buildingLoad, in hours. */
function dayIntegral(h: number): number {
  return 0.25 * h + 0.6 * Math.min(12, Math.max(0, h - 7)) + 0.15 * SQRT_2PI * (normalCdf(h - 19.5) - normalCdf(-19.5));
}
const DAY_INTEGRAL = dayIntegral(24);
/** Registers count from here (keeps them small; any fixed instant would do). */
const REGISTER_EPOCH = Date.UTC(2020, 0, 1);
const WOBBLE = 0.08;
const WOBBLE_PERIOD_MS = 47 * MINUTE;

export interface DemoMeter {
  index: number;
  id: string;
  site: DemoSite;
  name: string;
  baseWh: number;
  ratedW: number;
  /** Readings fall on `phase + k × interval` of absolute time. */
  phase: number;
  wobblePhase: number;
}

/** Spike windows of meter `index` of `meters` recur every `period` windows, `offset` windows in. */
function spikeCycle(demo: DemoScenario, index: number, meters: number): { period: number; offset: number } {
  const every = demo.spikes.everyWindows;
  return { period: every * meters * ENERGY_WINDOW_MS, offset: every * index * ENERGY_WINDOW_MS };
}

/** Whether meter `index` spikes in the 15-minute window containing `ts`. */
export function isSpikeWindow(demo: DemoScenario, index: number, meters: number, ts: number): boolean {
  const { period, offset } = spikeCycle(demo, index, meters);
  return (((ts - offset) % period) + period) % period < ENERGY_WINDOW_MS;
}

/** The starts of meter `index`'s spike windows in [from, to). */
export function spikeWindows(demo: DemoScenario, index: number, meters: number, from: number, to: number): number[] {
  const { period, offset } = spikeCycle(demo, index, meters);
  const out: number[] = [];
  for (let w = offset + Math.ceil((from - offset) / period) * period; w < to; w += period) out.push(w);
  return out;
}

/** Spike time of a meter before `ts`, ms (monotone in ts). */
function spikeMsBefore(demo: DemoScenario, index: number, meters: number, ts: number): number {
  const { period, offset } = spikeCycle(demo, index, meters);
  const cycles = Math.floor((ts - offset) / period);
  return cycles * ENERGY_WINDOW_MS + Math.min(ENERGY_WINDOW_MS, ts - offset - cycles * period);
}

/** The register (Wh, 3 decimals) and the power (W) of a demo meter at `ts`: the same for the same meter and ts. */
export function demoReading(
  demo: DemoScenario,
  m: DemoMeter,
  meters: number,
  ts: number,
): { energyWh: number; powerW: number } {
  const local = ts - REGISTER_EPOCH + m.site.utcOffsetHours * HOUR;
  const days = Math.floor(local / DAY);
  const localHour = (local - days * DAY) / HOUR;
  const angle = (2 * Math.PI * (ts - REGISTER_EPOCH)) / WOBBLE_PERIOD_MS + m.wobblePhase;
  const loadHours =
    days * DAY_INTEGRAL + dayIntegral(localHour) + (WOBBLE * WOBBLE_PERIOD_MS * Math.sin(angle)) / (2 * Math.PI * HOUR);
  const spikeHours = (demo.spikes.factor * spikeMsBefore(demo, m.index, meters, ts)) / HOUR;
  const energyWh = Math.round((m.baseWh + m.ratedW * (loadHours + spikeHours)) * 1000) / 1000;
  const spiking = isSpikeWindow(demo, m.index, meters, ts) ? demo.spikes.factor : 0;
  const jitter = 0.95 + 0.1 * hash01(m.index, Math.floor(ts / 1000));
  const powerW =
    Math.round(m.ratedW * (buildingLoad(localHour) + WOBBLE * Math.cos(angle) + spiking) * jitter * 10) / 10;
  return { energyWh, powerW };
}

/** A deterministic number in [0, 1) from two integers. */
function hash01(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b | 0, 0xc2b2ae35) ^ Math.floor(b / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Meter `index`'s site and name: sites in turn, so a few meters already cover every site. */
export function demoMeterPlace(demo: DemoScenario, index: number): { site: DemoSite; name: string } {
  const site = demo.sites[index % demo.sites.length];
  const name = site.meterNames[Math.floor(index / demo.sites.length)] ?? `Meter ${index + 1}`;
  return { site, name: `${site.name} · ${name}` };
}
