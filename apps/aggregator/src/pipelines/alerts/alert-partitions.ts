import { type AlertUpdate, alertUpdate as alertRowUpdate } from '@switchboard/domain';
import {
  type CheckpointedState,
  keyedState,
  type OutboxRecord,
  PartitionClock,
  PartitionedStores,
} from '@switchboard/streams';
import {
  type AlertChange,
  type AlertInput,
  type AlertSettings,
  alertEntityKey,
  applyAlertInput,
  type EntityAlertState,
  evaluateEntity,
} from '../../alerts';
import { metricUpdateRecord } from '../metric-update-record';

interface AlertsPartition {
  clock: PartitionClock;
  /** Stream time of the last evaluation of every entity: the time-driven rules move only when time does. */
  evaluatedAt: number;
}

export interface AlertPartitionsOptions {
  alertsTopic: string;
  settings: AlertSettings;
  wall: () => number;
}

/**
 * The alert rules' state per partition: each entity's state (checkpointed as `alert-entities`, whose store also
 * restores the partition's stream time, so rules resume where they were), the partition's clock, and the alert
 * changes waiting for the next drain. Inputs fold into their entity; the rules are judged at the partition's time.
 */
export class AlertPartitions {
  private readonly stores = new PartitionedStores<EntityAlertState>();
  private readonly partitions = new Map<number, AlertsPartition>();
  results: AlertChange[] = [];
  outbox: OutboxRecord[] = [];
  readonly state: CheckpointedState;

  constructor(private readonly opts: AlertPartitionsOptions) {
    const entities = keyedState('alert-entities', this.stores);
    this.state = {
      ...entities,
      restore: (p, stored) => {
        entities.restore(p, stored);
        const clock = new PartitionClock([p], opts.wall());
        clock.resumeAt(this.stores.get(p)?.time);
        this.partitions.set(p, { clock, evaluatedAt: clock.time });
      },
      revoke: (p) => {
        entities.revoke(p);
        this.partitions.delete(p);
      },
    };
  }

  /** One batch of rule inputs: each moves the partition's time and folds into its entity; then the rules judge. */
  apply(partition: number, inputs: readonly (AlertInput | null)[]): void {
    const part = this.partitions.get(partition);
    const store = this.stores.get(partition);
    if (!part || !store) return;
    const touched = new Set<string>();
    for (const input of inputs) {
      if (!input) continue;
      const ts = input.type === 'queue-gauge' ? input.longestWaitingSince : input.windowStart;
      if (ts !== null) part.clock.observe(part.clock.inputs[0], ts, this.opts.wall());
      const key = alertEntityKey(input);
      const before = store.get(key);
      const after = applyAlertInput(before, input);
      if (after === before) continue;
      store.set(key, after, part.clock.time);
      touched.add(key);
      // The spike rule holds one judgement, of the latest final window: a later final window folded in the same
      // batch would replace it unjudged, so a backlog or a backfill (many final windows a batch) never raised its
      // spikes and the alerts depended on batching. A final meter window is judged as it arrives.
      if (input.type === 'meter-window' && input.isFinal) this.evaluate(partition, [key]);
    }
    this.evaluateIfTimeMoved(partition, touched);
  }

  /** Live mode: idle partitions follow the wall clock, and the time-driven rules are judged again. */
  tick(now: number, idleMs: number): void {
    for (const [partition, part] of this.partitions) {
      // A partition that never saw an update has nothing to judge (and no time to advance from).
      if (part.clock.time === Number.NEGATIVE_INFINITY) continue;
      if (part.clock.idle(now, idleMs)) this.evaluateIfTimeMoved(partition, []);
    }
  }

  private evaluate(partition: number, keys: Iterable<string>): void {
    const store = this.stores.get(partition);
    const part = this.partitions.get(partition);
    if (!store || !part) return;
    const now = part.clock.time;
    for (const key of keys) {
      const current = store.get(key);
      if (!current) continue;
      const r = evaluateEntity(key, current, now, this.opts.settings);
      if (r.forget) store.delete(key);
      else if (r.changed) store.set(key, r.state, now);
      for (const change of r.changes) {
        this.results.push(change);
        this.outbox.push(metricUpdateRecord(this.opts.alertsTopic, alertUpdate(change)));
      }
    }
  }

  /** Every entity when the partition's time moved (time-driven rules), else only the ones the batch touched. */
  private evaluateIfTimeMoved(partition: number, touched: Iterable<string>): void {
    const part = this.partitions.get(partition);
    const store = this.stores.get(partition);
    if (!part || !store) return;
    if (part.clock.time > part.evaluatedAt) {
      part.evaluatedAt = part.clock.time;
      store.expire(part.clock.time);
      this.evaluate(partition, [...store.keys()]);
    } else {
      this.evaluate(partition, touched);
    }
  }
}

/** The `alerts` row of a change, in the update envelope (kind `alert`), one id per alert (rule, entity, fire time). */
function alertUpdate(c: AlertChange): AlertUpdate {
  const { cycle, ...alert } = c;
  return alertRowUpdate({ ...alert, ...cycle });
}
