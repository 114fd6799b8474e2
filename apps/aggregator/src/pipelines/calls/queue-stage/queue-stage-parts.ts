import { DEFAULT_MAX_FUTURE_MS, DEFAULT_MAX_PAST_MS, restatementHorizonMs } from '@switchboard/domain';
import {
  type CheckpointedState,
  type OutboxRecord,
  PartitionedStores,
  tumbling,
  WindowedAggregation,
  type WindowRow,
} from '@switchboard/streams';
import { QUEUE_WINDOW_MS, type QueueStatsColumns } from '../../../calls';
import { Refusals } from '../../data-quality-dead-letter';
import type { DataQualityRow } from '../../data-quality-sql';
import { tenantOfQueueKey } from '../calls-hop';
import { refuseLateFact } from './late-facts';
import { queueSlaAggregator, type SlaFact, type SlaWindowAcc } from './queue-sla-aggregator';
import type { QueueState } from './queue-state';

export interface QueueStageOptions {
  /** The repartition (hop) topic this stage reads: late facts go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic: string;
  /** Partitions of the upstream topic (events.calls): the inputs whose minimum stream time closes windows. */
  inputs: number;
  updatesTopic: string;
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
  /**
   * How long (stream time) after its grace a closed window is kept and restated by a late fact (the call stage's
   * horizon, which refuses what would reach past it). Default ≈ 7 days (`restatementHorizonMs` of ingest's defaults).
   */
  restateForMs?: number;
  clock?: () => number;
  onLate?: (key: string, timestamp: number) => void;
}

export type QueueStageResult = WindowRow<QueueStatsColumns> | { readonly dq: DataQualityRow };

/** What the queue stage holds: its windows, each queue's state, the sources' sequences and what waits for the drain. */
export class QueueStageParts {
  readonly rows: WindowRow<QueueStatsColumns>[] = [];
  readonly outbox: OutboxRecord[] = [];
  readonly dqRows: QueueStageResult[] = [];
  readonly refusals = new Refusals((dq) => this.dqRows.push({ dq }));
  /** Offsets of the batch being processed, by `<source>:<sequence>` (the engine's records do not carry them). */
  readonly offsets = new Map<string, string>();
  readonly restateForMs: number;
  readonly windows: WindowedAggregation<SlaFact, SlaWindowAcc, QueueStatsColumns>;
  readonly queues = new PartitionedStores<QueueState>();
  /** Per partition: the highest sequence seen of each source (repeats of the at-least-once relay are dropped). */
  readonly sequences = new Map<number, number[]>();
  readonly sequenceState: CheckpointedState = {
    name: 'queue-hop-sequences',
    restore: (p, state) =>
      void this.sequences.set(p, ((state?.meta as { seen?: number[] } | null)?.seen ?? []).slice()),
    changes: (p) => ({ meta: { seen: this.sequences.get(p) ?? [] } }),
    markCheckpointed: () => undefined,
    revoke: (p) => void this.sequences.delete(p),
  };

  constructor(readonly opts: QueueStageOptions) {
    this.restateForMs =
      opts.restateForMs ??
      restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
    this.windows = new WindowedAggregation<SlaFact, SlaWindowAcc, QueueStatsColumns>({
      window: tumbling(QUEUE_WINDOW_MS),
      aggregator: queueSlaAggregator,
      grace: opts.graceMs,
      emit: 'current',
      inputs: opts.inputs,
      idleMs: opts.mode === 'live' ? opts.idleMs : undefined,
      mode: opts.mode,
      clock: opts.clock,
      sink: this.rows,
      onLate: (late) => refuseLateFact(this, late),
      restateForMs: this.restateForMs,
      // each tenant's windows close on its own time: the minimum over the call partitions of what each announced of
      // the tenant (the call stage's boundary), so one tenant's live traffic never closes another's backlog
      closeBy: tenantOfQueueKey,
    });
  }

  /** Windows of `key` ending at or before this are closed here (its tenant's time: the minimum over the sources). */
  closedBefore(partition: number, key: string): number {
    const t = this.windows.closingTime(partition, key);
    return t === null ? Number.NEGATIVE_INFINITY : t - this.opts.graceMs;
  }
}
