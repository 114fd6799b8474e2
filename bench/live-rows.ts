import { AGENT_STATUSES, agentStatusUpdate, EMPTY_QUEUE_STATS, type MetricUpdate } from '@switchboard/domain';
import { queueGaugeUpdate, queueStatsUpdate } from '../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { energyUpdate } from '../apps/aggregator/src/pipelines/energy';

/** One row the gateway serves, the channel it lands in, and its update at a version, built as the aggregator does. */
export interface LiveRowSpec {
  id: string;
  channel: string;
  /**
   * Where a page shows which version of this row it holds, for the browser probes: the wallboard shows a gauge as
   * its queue's `waiting` figure (`waiting` = version), the energy page a probe meter in its top-meters table
   * (today = version kWh).
   */
  probeKey?: string;
  build(version: number): MetricUpdate;
}

/**
 * A set of rows described as data, so the producer (in a worker thread) and the receivers build the same rows:
 * - `contact-centre`: per queue its gauge and current window, per agent its status (all in `queues`), and per
 *   meter its current 15-minute window (`meter:<id>`);
 * - `wallboard`: per queue (named to sort as numbered) its gauge and current window, and per agent its status;
 * - `energy`: per meter its current 15-minute window; the first `probes` meters' energy is version kWh (far above
 *   the others' version × 1.25 Wh), so they are the energy page's top meters and show the version they hold.
 */
export type RowSet =
  | { kind: 'contact-centre'; tenant: string; queues: number; agents: number; meters: number; now: number }
  | { kind: 'wallboard'; tenant: string; queues: number; agents: number; now: number }
  | { kind: 'energy'; tenant: string; meters: number; probes: number; now: number };

export function buildRows(set: RowSet): LiveRowSpec[] {
  if (set.kind === 'contact-centre') return contactCentreRows(set.tenant, set, set.now);
  if (set.kind === 'energy') {
    const quarter = set.now - (set.now % QUARTER);
    return Array.from({ length: set.meters }, (_, m) =>
      meterWindowRow(set.tenant, meterName(m), quarter, m < set.probes ? PROBE_MWH_PER_VERSION : undefined),
    );
  }
  const minute = set.now - (set.now % MINUTE);
  const rows: LiveRowSpec[] = [];
  for (let q = 0; q < set.queues; q++) {
    const queue = `q-${String(q).padStart(2, '0')}`;
    rows.push(gaugeRow(set.tenant, queue), queueWindowRow(set.tenant, queue, minute));
  }
  for (let a = 0; a < set.agents; a++) rows.push(agentRow(set.tenant, `agent-${a}`, set.now));
  return rows;
}

/** A probe meter's energy per version: 1 kWh, so the page's "12.00 kWh" says version 12. */
export const PROBE_MWH_PER_VERSION = 1_000_000;
/** An ordinary meter's energy per version (mWh). */
const MWH_PER_VERSION = 1_250;

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;

/** A queue's live gauge; `waiting` = version, so a page showing the row shows which version it holds. */
export function gaugeRow(tenant: string, queue: string): LiveRowSpec {
  const id = queueGaugeUpdate(tenant, queue, 1, { waiting: 0, longestWaitingSince: null }).id;
  return {
    id,
    channel: 'queues',
    probeKey: queue,
    build: (version) => queueGaugeUpdate(tenant, queue, version, { waiting: version, longestWaitingSince: null }),
  };
}

/** The current minute's `queue_stats_1m` window of a queue (the full row, as the table holds it). */
export function queueWindowRow(tenant: string, queue: string, windowStart: number): LiveRowSpec {
  const build = (version: number) =>
    queueStatsUpdate({
      tenant,
      queue,
      windowStart,
      windowEnd: windowStart + MINUTE,
      columns: {
        ...EMPTY_QUEUE_STATS,
        offered: version,
        answered: version - (version >> 3),
        abandoned: version >> 3,
        answeredInSla: version >> 1,
        answeredWaitMsSum: version * 9_000,
        waitMsSum: version * 11_000,
        maxWaitMs: 45_000,
        talkMsSum: version * 180_000,
        talkCount: version,
      },
      isFinal: false,
      version,
      revision: 0,
      restated: false,
    });
  return { id: build(1).id, channel: 'queues', build };
}

export function agentRow(tenant: string, agentId: string, since: number): LiveRowSpec {
  const build = (version: number) =>
    agentStatusUpdate({ tenant, agentId, status: AGENT_STATUSES[version % AGENT_STATUSES.length], since, version });
  return { id: build(1).id, channel: 'queues', build };
}

/**
 * The current quarter's `meter_energy_15m` window of a meter (channel `meter:<id>`). With `probeMwhPerVersion` its
 * energy is version × that, and it is a probe row (the energy page's top meters show it).
 */
export function meterWindowRow(
  tenant: string,
  meterId: string,
  windowStart: number,
  probeMwhPerVersion?: number,
): LiveRowSpec {
  const build = (version: number) =>
    energyUpdate(
      tenant,
      meterId,
      {
        windowStart,
        windowEnd: windowStart + QUARTER,
        energyMwh: version * (probeMwhPerVersion ?? MWH_PER_VERSION),
        readings: version,
        maxPowerW: 4_200,
        resets: 0,
        isFinal: false,
      },
      version,
    );
  const probeKey = probeMwhPerVersion === undefined ? undefined : meterId;
  return { id: build(1).id, channel: `meter:${meterId}`, probeKey, build };
}

function contactCentreRows(
  tenant: string,
  counts: { queues: number; agents: number; meters: number },
  now: number,
): LiveRowSpec[] {
  const minute = now - (now % MINUTE);
  const quarter = now - (now % QUARTER);
  const rows: LiveRowSpec[] = [];
  for (let q = 0; q < counts.queues; q++) {
    rows.push(gaugeRow(tenant, `q-${q}`), queueWindowRow(tenant, `q-${q}`, minute));
  }
  for (let a = 0; a < counts.agents; a++) rows.push(agentRow(tenant, `agent-${a}`, now));
  for (let m = 0; m < counts.meters; m++) rows.push(meterWindowRow(tenant, meterName(m), quarter));
  return rows;
}

export function meterName(m: number): string {
  return `meter-${m}`;
}
