import { type AlertUpdate, alertUpdate as alertRowUpdate, parseMetricUpdate, UpdateTopics } from '@switchboard/domain';
import {
  type CheckpointedState,
  keyedState,
  type OutboxRecord,
  PartitionClock,
  PartitionedStores,
  type RawMessage,
  StreamsDecodeError,
  type Topology,
} from '@switchboard/streams';
import {
  type AlertChange,
  type AlertInput,
  type AlertSettings,
  alertEntityKey,
  alertInputOf,
  applyAlertInput,
  type EntityAlertState,
  evaluateEntity,
} from '../../alerts';
import { metricUpdateRecord } from '../metric-update-record';
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

interface AlertsPartition {
  clock: PartitionClock;
  /** Stream time of the last evaluation of every entity: the time-driven rules move only when time does. */
  evaluatedAt: number;
}

/**
 * metrics.updates → alert rules per queue and per meter → `alerts` table and topic.
 *
 * Every update of one queue or meter is in one partition (libs/domain updates.ts: partitioned by entity), so the
 * rules run per partition without a repartition. Time is the partition's stream time: the highest window start
 * (or waiting-since) its updates carried, following the wall clock while the partition is idle (live mode), so
 * silence and long waits are judged even when nothing arrives; a backlog is judged as it was lived.
 * Updates arrive at least once: each entity keeps the versions it applied and ignores repeats.
 */
export function alertsTopology(opts: AlertsTopologyOptions): Topology<AlertChange, AlertInput | null> {
  const alertsTopic = opts.alertsTopic ?? UpdateTopics.alerts;
  const wall = opts.clock ?? Date.now;
  const stores = new PartitionedStores<EntityAlertState>();
  const entities = keyedState('alert-entities', stores);
  const partitions = new Map<number, AlertsPartition>();
  let results: AlertChange[] = [];
  let outbox: OutboxRecord[] = [];

  // The entities' store restores the partition's stream time too (its `time`), so rules resume where they were.
  const state: CheckpointedState = {
    ...entities,
    restore(p, stored) {
      entities.restore(p, stored);
      const clock = new PartitionClock([p], wall());
      clock.resumeAt(stores.get(p)?.time);
      partitions.set(p, { clock, evaluatedAt: clock.time });
    },
    revoke(p) {
      entities.revoke(p);
      partitions.delete(p);
    },
  };

  function evaluate(partition: number, keys: Iterable<string>): void {
    const store = stores.get(partition);
    const part = partitions.get(partition);
    if (!store || !part) return;
    const now = part.clock.time;
    for (const key of keys) {
      const current = store.get(key);
      if (!current) continue;
      const r = evaluateEntity(key, current, now, opts.settings);
      if (r.forget) store.delete(key);
      else if (r.changed) store.set(key, r.state, now);
      for (const change of r.changes) {
        results.push(change);
        outbox.push(metricUpdateRecord(alertsTopic, alertUpdate(change)));
      }
    }
  }

  function evaluateIfTimeMoved(partition: number, touched: Iterable<string>): void {
    const part = partitions.get(partition);
    const store = stores.get(partition);
    if (!part || !store) return;
    if (part.clock.time > part.evaluatedAt) {
      part.evaluatedAt = part.clock.time;
      store.expire(part.clock.time);
      evaluate(partition, [...store.keys()]);
    } else {
      evaluate(partition, touched);
    }
  }

  return {
    states: [state],
    process(partition, inputs) {
      const part = partitions.get(partition);
      const store = stores.get(partition);
      if (!part || !store) return;
      const touched = new Set<string>();
      for (const input of inputs) {
        if (!input) continue;
        const ts = input.type === 'queue-gauge' ? input.longestWaitingSince : input.windowStart;
        if (ts !== null) part.clock.observe(part.clock.inputs[0], ts, wall());
        const key = alertEntityKey(input);
        const before = store.get(key);
        const after = applyAlertInput(before, input);
        if (after !== before) {
          store.set(key, after, part.clock.time);
          touched.add(key);
          // The spike rule holds one judgement, of the latest final window: a later final window folded in the same
          // batch would replace it unjudged, so a backlog or a backfill (many final windows a batch) never raised its
          // spikes and the alerts depended on batching. A final meter window is judged as it arrives.
          if (input.type === 'meter-window' && input.isFinal) evaluate(partition, [key]);
        }
      }
      evaluateIfTimeMoved(partition, touched);
    },
    tick(now) {
      if (opts.mode !== 'live') return;
      for (const [partition, part] of partitions) {
        // A partition that never saw an update has nothing to judge (and no time to advance from).
        if (part.clock.time === Number.NEGATIVE_INFINITY) continue;
        if (part.clock.idle(now, opts.idleMs)) evaluateIfTimeMoved(partition, []);
      }
    },
    drain() {
      const drained = { results, outbox };
      results = [];
      outbox = [];
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

/** The `alerts` row of a change, in the update envelope (kind `alert`), one id per alert (rule, entity, fire time). */
export function alertUpdate(c: AlertChange): AlertUpdate {
  const { cycle, ...alert } = c;
  return alertRowUpdate({ ...alert, ...cycle });
}
