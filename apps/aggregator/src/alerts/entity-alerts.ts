import { type AlertRule, type AlertSetting, serviceLevelOfHandled } from '@switchboard/domain';
import { type AlertCycle, stepAlertCycle, type Verdict } from './alert-cycle';
import type { AlertInput } from './alert-inputs';

/** The service level rule looks at the 1-minute windows of the last 15 minutes… */
export const SERVICE_LEVEL_SPAN_MS = 15 * 60_000;
/** …and judges only with at least this many handled calls in them (fewer say nothing about a queue). */
export const SERVICE_LEVEL_MIN_CALLS = 5;
/** The energy spike rule compares a window with the final windows of the 24 hours before it… */
export const SPIKE_BASELINE_SPAN_MS = 24 * 3_600_000;
/** …when there are at least this many (a new meter has no normal yet). */
export const SPIKE_MIN_BASELINE_WINDOWS = 4;
/** A meter quiet this long (no firing alert) is forgotten. */
export const METER_ALERT_STATE_TTL_MS = 30 * 86_400_000;
const ENERGY_WINDOW_MS = 15 * 60_000;

type Alerts = Partial<Record<AlertRule, AlertCycle>>;

/** Per (tenant, queue): the windows of the last 15 minutes and the waiting gauge. Plain JSON (checkpointed). */
export interface QueueAlertState {
  kind: 'queue';
  /** [window start, answered_in_sla, handled, row version], by window start. */
  windows: Array<[number, number, number, number]>;
  /** [longest waiting since | null, gauge version]. */
  gauge: [number | null, number];
  alerts: Alerts;
}

/** Per (tenant, meter): when it last reported and its recent final windows. Plain JSON. */
export interface MeterAlertState {
  kind: 'meter';
  /** Start of the latest window with readings (the meter spoke at some time in it). */
  lastWindowStart: number;
  /** Start of the latest final window. */
  lastFinal: number | null;
  /**
   * The final windows of the 24 h up to `lastFinal`, by start: [window start, energy mWh, row version, windows
   * covered (since the final window before it: energy belongs to the window of the later reading)]. A restated
   * window (a higher version of a final row) replaces its entry, so the spike is judged again.
   */
  finals: Array<[number, number, number, number]>;
  /** The last final window's judgement: its energy rate over the baseline's mean. */
  spike: { windowStart: number; ratio: number; rateMwh: number; meanMwh: number } | null;
  alerts: Alerts;
}

export type EntityAlertState = QueueAlertState | MeterAlertState;

/** The state key of an input's entity: `<tenant>/queue/<queue>` or `<tenant>/meter/<meterId>`. */
export function alertEntityKey(input: AlertInput): string {
  return input.type === 'meter-window'
    ? `${input.tenant}/meter/${input.meterId}`
    : `${input.tenant}/queue/${input.queue}`;
}

/** Folds one input into its entity's state (a new object; repeats of the at-least-once relay change nothing). */
export function applyAlertInput(state: EntityAlertState | undefined, input: AlertInput): EntityAlertState {
  if (input.type === 'meter-window') return applyMeterWindow(asMeter(state), input);
  const queue = asQueue(state);
  if (input.type === 'queue-gauge') {
    if (input.version <= queue.gauge[1]) return queue;
    return { ...queue, gauge: [input.longestWaitingSince, input.version] };
  }
  const i = queue.windows.findIndex((w) => w[0] === input.windowStart);
  if (i >= 0 && queue.windows[i][3] >= input.version) return queue;
  const row: [number, number, number, number] = [input.windowStart, input.answeredInSla, input.handled, input.version];
  const windows = i >= 0 ? queue.windows.map((w, j) => (j === i ? row : w)) : [...queue.windows, row];
  return { ...queue, windows: windows.sort((a, b) => a[0] - b[0]) };
}

function applyMeterWindow(meter: MeterAlertState, w: Extract<AlertInput, { type: 'meter-window' }>): MeterAlertState {
  const next = { ...meter, lastWindowStart: Math.max(meter.lastWindowStart, w.windowStart) };
  if (!w.isFinal) return next;
  const finals = meter.finals.map((f) => [...f] as [number, number, number, number]);
  const at = finals.findIndex(([ws]) => ws === w.windowStart);
  if (at >= 0) {
    // A repeat of the at-least-once relay changes nothing; a higher version is a restatement of a final window.
    if (finals[at][2] >= w.version) return next;
    finals[at][1] = w.energyMwh;
    finals[at][2] = w.version;
  } else {
    // Older than the span of the latest final window: it cannot change any judgement still held.
    if (meter.lastFinal !== null && w.windowStart <= meter.lastFinal - SPIKE_BASELINE_SPAN_MS) return next;
    const i = finals.findIndex(([ws]) => ws > w.windowStart);
    const index = i < 0 ? finals.length : i;
    finals.splice(index, 0, [w.windowStart, w.energyMwh, w.version, 1]);
    // A window between two others splits the gap the later one covered.
    coverSince(finals, index, meter.lastFinal === null && index === 0);
    if (index + 1 < finals.length) coverSince(finals, index + 1, false);
  }
  const latest = finals[finals.length - 1];
  const kept = finals.filter(([ws]) => ws > latest[0] - SPIKE_BASELINE_SPAN_MS);
  return { ...next, lastFinal: latest[0], finals: kept, spike: judgeSpike(kept) };
}

/** Windows covered by `finals[i]`: since the final window before it (1 for a meter's first, or when unknown). */
function coverSince(finals: Array<[number, number, number, number]>, i: number, first: boolean): void {
  const previous = finals[i - 1];
  if (previous !== undefined) finals[i][3] = Math.max(1, Math.round((finals[i][0] - previous[0]) / ENERGY_WINDOW_MS));
  else if (first) finals[i][3] = 1;
}

/** The latest final window's energy rate (per window covered) against the mean of those of the 24 h before it. */
function judgeSpike(finals: ReadonlyArray<[number, number, number, number]>): MeterAlertState['spike'] {
  const [windowStart, energyMwh, , covered] = finals[finals.length - 1];
  const baseline = finals.slice(0, -1);
  const meanMwh = baseline.reduce((sum, [, e, , c]) => sum + e / c, 0) / (baseline.length || 1);
  if (baseline.length < SPIKE_MIN_BASELINE_WINDOWS || meanMwh <= 0) return null;
  const rateMwh = energyMwh / covered;
  return { windowStart, ratio: rateMwh / meanMwh, rateMwh, meanMwh };
}

/** One alert row change: the entity and its rule's cycle after the change. */
export interface AlertChange {
  tenant: string;
  rule: AlertRule;
  entityType: 'queue' | 'meter';
  entityId: string;
  cycle: AlertCycle;
}

export type AlertSettings = (tenant: string, rule: AlertRule) => AlertSetting;

/**
 * Judges every rule of an entity at stream time `now`: the new state (windows out of range dropped) and the
 * alert rows that changed. `forget` is true when nothing is left worth keeping.
 */
export function evaluateEntity(
  key: string,
  state: EntityAlertState,
  now: number,
  settings: AlertSettings,
): { state: EntityAlertState; changes: AlertChange[]; changed: boolean; forget: boolean } {
  const [tenant, , entityId] = splitEntityKey(key);
  const changes: AlertChange[] = [];
  const alerts: Alerts = { ...state.alerts };
  const judge = (rule: AlertRule, verdict: (threshold: number) => Verdict | undefined) => {
    const setting = settings(tenant, rule);
    const step = stepAlertCycle(rule, alerts[rule], setting.enabled ? verdict(setting.threshold) : undefined, now);
    if (step.next) alerts[rule] = step.next;
    if (step.changed && step.next) {
      changes.push({ tenant, rule, entityType: state.kind, entityId, cycle: step.next });
    }
  };
  const firing = () => Object.values(alerts).some((a) => a?.firing);

  if (state.kind === 'queue') {
    const windows = state.windows.filter(([ws]) => ws > now - SERVICE_LEVEL_SPAN_MS);
    judge('queue_service_level_low', (t) => serviceLevelVerdict(entityId, windows, now, t));
    judge('queue_longest_wait_high', (t) => longestWaitVerdict(entityId, state.gauge[0], now, t));
    const next: QueueAlertState = { ...state, windows, alerts };
    const changed = changes.length > 0 || windows.length !== state.windows.length;
    return { state: next, changes, changed, forget: windows.length === 0 && state.gauge[0] === null && !firing() };
  }
  judge('meter_silent', (t) => silenceVerdict(entityId, state.lastWindowStart, now, t));
  judge('meter_energy_spike', (t) => spikeVerdict(entityId, state.spike, now, t));
  const next: MeterAlertState = { ...state, alerts };
  const forget = state.lastWindowStart < now - METER_ALERT_STATE_TTL_MS && !firing();
  return { state: next, changes, changed: changes.length > 0, forget };
}

function serviceLevelVerdict(
  queue: string,
  windows: QueueAlertState['windows'],
  now: number,
  threshold: number,
): Verdict | undefined {
  let inSla = 0;
  let handled = 0;
  for (const [ws, sla, h] of windows) {
    if (ws > now) continue;
    inSla += sla;
    handled += h;
  }
  const value = handled < SERVICE_LEVEL_MIN_CALLS ? null : serviceLevelOfHandled(inSla, handled);
  if (value === null) return undefined;
  return {
    breach: value < threshold,
    value,
    threshold,
    message: `Service level of queue ${queue} is ${percent(value)} over the last 15 minutes (threshold ${percent(threshold)}, ${handled} calls)`,
    details: { answeredInSla: inSla, handled },
  };
}

function longestWaitVerdict(queue: string, since: number | null, now: number, threshold: number): Verdict {
  const value = since === null ? 0 : Math.max(0, now - since) / 1000;
  return {
    breach: value > threshold,
    value,
    threshold,
    message: `The longest-waiting call in queue ${queue} has waited ${Math.round(value)} s (threshold ${threshold} s)`,
    details: { longestWaitingSince: since === null ? null : new Date(since).toISOString() },
  };
}

function silenceVerdict(meter: string, lastWindowStart: number, now: number, threshold: number): Verdict {
  // The last reading lies somewhere in its window: counting from the window's end never overstates the silence.
  const value = Math.max(0, now - (lastWindowStart + ENERGY_WINDOW_MS)) / 1000;
  return {
    breach: value > threshold,
    value,
    threshold,
    message: `Meter ${meter} has sent no reading for at least ${Math.round(value / 60)} min (threshold ${Math.round(threshold / 60)} min)`,
    details: { lastWindowStart: new Date(lastWindowStart).toISOString() },
  };
}

function spikeVerdict(
  meter: string,
  spike: MeterAlertState['spike'],
  now: number,
  threshold: number,
): Verdict | undefined {
  // A judgement holds until the next final window; a meter that goes quiet after a spike lets it go after a day.
  if (!spike || spike.windowStart <= now - SPIKE_BASELINE_SPAN_MS) return undefined;
  return {
    breach: spike.ratio > threshold,
    value: spike.ratio,
    threshold,
    message: `Meter ${meter} used ${spike.ratio.toFixed(1)}× its 24-hour average in the 15 minutes from ${new Date(spike.windowStart).toISOString()} (threshold ${threshold}×)`,
    details: {
      windowStart: new Date(spike.windowStart).toISOString(),
      energyMwh: Math.round(spike.rateMwh),
      averageMwh: Math.round(spike.meanMwh),
    },
  };
}

function asQueue(state: EntityAlertState | undefined): QueueAlertState {
  return state?.kind === 'queue' ? state : { kind: 'queue', windows: [], gauge: [null, 0], alerts: {} };
}

function asMeter(state: EntityAlertState | undefined): MeterAlertState {
  if (state?.kind !== 'meter') {
    return {
      kind: 'meter',
      lastWindowStart: Number.NEGATIVE_INFINITY,
      lastFinal: null,
      finals: [],
      spike: null,
      alerts: {},
    };
  }
  if (state.finals !== undefined) return state;
  // Checkpointed before restatement: `baseline` held [start, energy per covered window]; versions were not kept.
  const { baseline, ...rest } = state as MeterAlertState & { baseline?: Array<[number, number]> };
  return { ...rest, finals: (baseline ?? []).map(([ws, rate]) => [ws, rate, 0, 1]) };
}

function splitEntityKey(key: string): [tenant: string, type: string, entityId: string] {
  const [tenant, type, ...rest] = key.split('/');
  return [tenant, type, rest.join('/')];
}

function percent(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}
