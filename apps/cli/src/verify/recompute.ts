import type { IngestEvent } from '@switchboard/domain';

/**
 * The aggregates recomputed in batch from a tenant's events, straight from PRODUCT.md's definitions and
 * without the aggregator's code: the reference `switchboard verify` and the chaos tests compare Postgres with.
 * Rows are keyed `<entity>@<windowStart ms>` (agents: by agent id) with their columns joined by '|'.
 *
 * What a batch cannot know: which events the stream found late beyond grace (they change no final row),
 * and queue SLAs other than the one given. Feed it data without late events, or expect those differences.
 */
const QUARTER = 15 * 60_000;
const MINUTE = 60_000;

export const ENERGY_COLUMNS = ['energy_mwh', 'readings', 'max_power_w', 'resets'] as const;
export const QUEUE_COLUMNS = [
  'offered',
  'answered',
  'abandoned',
  'answered_in_sla',
  'abandoned_short',
  'answered_wait_ms_sum',
  'wait_ms_sum',
  'max_wait_ms',
  'talk_ms_sum',
  'talk_count',
] as const;

export function recomputeEnergy(events: readonly IngestEvent[]): Map<string, string> {
  const byMeter = new Map<string, Map<number, { mwh: number; powerW?: number }>>();
  for (const e of events) {
    if (e.type !== 'meter.reading') continue;
    let readings = byMeter.get(e.meterId);
    if (!readings) {
      readings = new Map();
      byMeter.set(e.meterId, readings);
    }
    // A second reading with the same (meter, ts) is a duplicate: the first received counts.
    if (!readings.has(e.ts)) readings.set(e.ts, { mwh: Math.round(e.energyWh * 1000), powerW: e.powerW });
  }
  const rows = new Map<string, { energy: number; readings: number; maxPower: number | null; resets: number }>();
  for (const [meter, readings] of byMeter) {
    let previous: number | undefined;
    for (const [ts, r] of [...readings].sort((a, b) => a[0] - b[0])) {
      const id = `${meter}@${ts - (ts % QUARTER)}`;
      let row = rows.get(id);
      if (!row) {
        row = { energy: 0, readings: 0, maxPower: null, resets: 0 };
        rows.set(id, row);
      }
      row.readings++;
      if (r.powerW !== undefined) row.maxPower = Math.max(row.maxPower ?? Number.NEGATIVE_INFINITY, r.powerW);
      if (previous !== undefined) {
        const diff = r.mwh - previous;
        // The energy of a reading belongs to its window; a negative difference is a register restart.
        if (diff >= 0) row.energy += diff;
        else {
          row.energy += r.mwh;
          row.resets++;
        }
      }
      previous = r.mwh;
    }
  }
  return new Map([...rows].map(([id, r]) => [id, `${r.energy}|${r.readings}|${r.maxPower}|${r.resets}`]));
}

export function recomputeQueueStats(
  events: readonly IngestEvent[],
  slaSecondsOf: (queue: string) => number = () => 20,
): Map<string, string> {
  const calls = new Map<string, { queue?: string; start?: number; answer?: number; end?: number }>();
  for (const e of events) {
    if (e.type !== 'call.started' && e.type !== 'call.answered' && e.type !== 'call.ended') continue;
    let c = calls.get(e.callId);
    if (!c) {
      c = {};
      calls.set(e.callId, c);
    }
    // A transition seen twice counts once: the earliest.
    if (e.type === 'call.started' && (c.start === undefined || e.ts < c.start)) {
      c.start = e.ts;
      c.queue = e.queue;
    }
    if (e.type === 'call.answered' && (c.answer === undefined || e.ts < c.answer)) c.answer = e.ts;
    if (e.type === 'call.ended' && (c.end === undefined || e.ts < c.end)) c.end = e.ts;
  }
  const rows = new Map<string, number[]>();
  const at = (queue: string, ts: number) => {
    const id = `${queue}@${ts - (ts % MINUTE)}`;
    let r = rows.get(id);
    if (!r) {
      r = QUEUE_COLUMNS.map(() => 0);
      rows.set(id, r);
    }
    return r;
  };
  const [OFFERED, ANSWERED, ABANDONED, IN_SLA, SHORT, ANSWERED_WAIT, WAIT, MAX_WAIT, TALK, TALK_COUNT] =
    QUEUE_COLUMNS.map((_, i) => i);
  for (const c of calls.values()) {
    if (c.start === undefined || c.queue === undefined) continue; // without a start: data quality, not metrics
    at(c.queue, c.start)[OFFERED]++;
    if (c.answer !== undefined) {
      const wait = Math.max(0, c.answer - c.start);
      const r = at(c.queue, c.answer);
      r[ANSWERED]++;
      if (wait <= slaSecondsOf(c.queue) * 1000) r[IN_SLA]++;
      r[ANSWERED_WAIT] += wait;
      r[WAIT] += wait;
      r[MAX_WAIT] = Math.max(r[MAX_WAIT], wait);
      if (c.end !== undefined) {
        const e = at(c.queue, c.end);
        e[TALK] += Math.max(0, c.end - c.answer);
        e[TALK_COUNT]++;
      }
    } else if (c.end !== undefined) {
      const wait = Math.max(0, c.end - c.start);
      const r = at(c.queue, c.end);
      r[ABANDONED]++;
      if (wait <= 5000) r[SHORT]++;
      r[WAIT] += wait;
      r[MAX_WAIT] = Math.max(r[MAX_WAIT], wait);
    }
  }
  return new Map([...rows].map(([id, r]) => [id, r.join('|')]));
}

const STATUS_ORDER = ['available', 'busy', 'wrap_up', 'break', 'offline'];

/** Latest status per agent by event time; a tie goes to the later status in the documented order. */
export function recomputeAgents(events: readonly IngestEvent[]): Map<string, string> {
  const latest = new Map<string, { ts: number; status: string }>();
  for (const e of events) {
    if (e.type !== 'agent.status') continue;
    const seen = latest.get(e.agentId);
    if (
      !seen ||
      e.ts > seen.ts ||
      (e.ts === seen.ts && STATUS_ORDER.indexOf(e.status) > STATUS_ORDER.indexOf(seen.status))
    ) {
      latest.set(e.agentId, { ts: e.ts, status: e.status });
    }
  }
  return new Map([...latest].map(([id, s]) => [id, `${s.status}@${s.ts}`]));
}
