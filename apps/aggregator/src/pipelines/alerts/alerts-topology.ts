import { parseMetricUpdate, UpdateTopics } from '@switchboard/domain';
import { type RawMessage, StreamsDecodeError, type Topology } from '@switchboard/streams';
import { type AlertChange, type AlertInput, type AlertSettings, alertInputOf } from '../../alerts';
import { AlertPartitions } from './alert-partitions';
import { writeAlerts } from './alerts-sql';

export interface AlertsTopologyOptions {
  alertsTopic?: string;
  idleMs: number;
  mode: 'live' | 'replay';
  /** The tenant's threshold and switch for a rule (defaults where the tenant set none). */
  settings: AlertSettings;
  /** Wall clock (idle detection only). */
  clock?: () => number;
}

/**
 * metrics.updates → alert rules per queue and per meter → `alerts` table and topic.
 *
 * Every update of one queue or meter is in one partition (libs/domain updates.ts: partitioned by entity), so the
 * rules run per partition without a repartition. Time is the partition's stream time: the highest window start
 * (or waiting-since) its updates carried, following the wall clock while the partition is idle (live mode), so
 * silence and long waits are judged even when nothing arrives; a backlog is judged as it was lived.
 * Updates arrive at least once: each entity keeps the versions it applied and ignores repeats (alert-partitions.ts).
 */
export function alertsTopology(opts: AlertsTopologyOptions): Topology<AlertChange, AlertInput | null> {
  const judge = new AlertPartitions({
    alertsTopic: opts.alertsTopic ?? UpdateTopics.alerts,
    settings: opts.settings,
    wall: opts.clock ?? Date.now,
  });
  return {
    states: [judge.state],
    process: (partition, inputs) => judge.apply(partition, inputs),
    tick(now) {
      if (opts.mode === 'live') judge.tick(now, opts.idleMs);
    },
    drain() {
      const drained = { results: judge.results, outbox: judge.outbox };
      judge.results = [];
      judge.outbox = [];
      return drained;
    },
    writeResults: (client, all) => writeAlerts(client, all),
  };
}

/** Reads one metrics.updates message into a rule input (null for kinds no rule reads); bad ones go to the DLQ. */
export function decodeAlertInput(_partition: number, m: RawMessage): AlertInput | null {
  try {
    return alertInputOf(parseMetricUpdate(m.value)) ?? null;
  } catch (err) {
    throw new StreamsDecodeError((err as Error).message);
  }
}
