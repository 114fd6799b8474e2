import { parseStreamId } from '@switchboard/domain';
import type { KeyedStore, OutboxRecord } from '@switchboard/streams';
import { type WaitingCallChange, WaitingCalls } from '../../../calls';
import { metricUpdateRecord } from '../../metric-update-record';
import { emptyQueue, type QueueState } from './queue-state';
import { queueGaugeUpdate } from './queue-updates';

/** The waiting gauges one batch changed: one `queue_gauge` update per queue and batch (conflated), when it moved. */
export class QueueGauges {
  private readonly gauges = new Map<string, WaitingCalls>();

  apply(key: string, state: QueueState | undefined, change: WaitingCallChange): void {
    let gauge = this.gauges.get(key);
    if (!gauge) {
      gauge = new WaitingCalls(state?.waiting ?? []);
      this.gauges.set(key, gauge);
    }
    gauge.apply(parseStreamId(key).entityId, change);
  }

  /** Stores each changed gauge and sends an update for those that moved, with the queue's next gauge version. */
  publish(store: KeyedStore<QueueState>, outbox: OutboxRecord[], updatesTopic: string): void {
    for (const [key, gauge] of this.gauges) {
      const state = store.get(key) ?? emptyQueue();
      const before = new WaitingCalls(state.waiting).gauge();
      const after = gauge.gauge();
      const waiting = gauge.snapshot();
      const moved = before.waiting !== after.waiting || before.longestWaitingSince !== after.longestWaitingSince;
      const version = moved ? state.gaugeVersion + 1 : state.gaugeVersion;
      store.set(key, { ...state, waiting, gaugeVersion: version }, after.longestWaitingSince ?? 0);
      if (!moved) continue;
      const { tenant, entityId } = parseStreamId(key);
      outbox.push(metricUpdateRecord(updatesTopic, queueGaugeUpdate(tenant, entityId, version, after)));
    }
  }
}
