import { AGENT_STATUSES, agentStatusUpdate, EMPTY_QUEUE_STATS, type MetricUpdate } from '@switchboard/domain';
import { queueGaugeUpdate, queueStatsUpdate } from '../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { energyUpdate } from '../apps/aggregator/src/pipelines/energy';

/** One row the gateway serves, the channel it lands in, and its update at a version, built as the aggregator does. */
export interface LiveRowSpec {
  id: string;
  channel: string;
  /** For a gauge row: its queue (the wallboard shows the gauge as that queue's `waiting` cell). */
  gaugeOf?: string;
  build(version: number): MetricUpdate;
}

/**
 * A set of rows described as data, so the producer (in a worker thread) and the receivers build the same rows:
 * - `contact-centre`: per queue its gauge and current window, per agent its status (all in `queues`), and per
 *   meter its current 15-minute window (`meter:<id>`);
 * - `wallboard`: per queue its gauge and current window only.
 */
export type RowSet =
  | { kind: 'contact-centre'; tenant: string; queues: number; agents: number; meters: number; now: number }
  | { kind: 'wallboard'; tenant: string; queues: number; now: number };

export function buildRows(set: RowSet): LiveRowSpec[] {
  if (set.kind === 'contact-centre') return contactCentreRows(set.tenant, set, set.now);
  const minute = set.now - (set.now % MINUTE);
  const rows: LiveRowSpec[] = [];
  for (let q = 0; q < set.queues; q++) {
    const queue = `q-${String(q).padStart(2, '0')}`;
    rows.push(gaugeRow(set.tenant, queue), queueWindowRow(set.tenant, queue, minute));
  }
  return rows;
}

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;

/** A queue's live gauge; `waiting` = version, so a page showing the row shows which version it holds. */
export function gaugeRow(tenant: string, queue: string): LiveRowSpec {
  const id = queueGaugeUpdate(tenant, queue, 1, { waiting: 0, longestWaitingSince: null }).id;
  return {
    id,
    channel: 'queues',
    gaugeOf: queue,
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

/** The current quarter's `meter_energy_15m` window of a meter (channel `meter:<id>`). */
export function meterWindowRow(tenant: string, meterId: string, windowStart: number): LiveRowSpec {
  const build = (version: number) =>
    energyUpdate(
      tenant,
      meterId,
      {
        windowStart,
        windowEnd: windowStart + QUARTER,
        energyMwh: version * 1_250,
        readings: version,
        maxPowerW: 4_200,
        resets: 0,
        isFinal: false,
      },
      version,
    );
  return { id: build(1).id, channel: `meter:${meterId}`, build };
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
