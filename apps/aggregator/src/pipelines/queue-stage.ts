import { DEFAULT_SLA_SECONDS, parseStreamId } from '@switchboard/domain';
import {
  type CheckpointedState,
  keyedState,
  type LateRecord,
  type OutboxRecord,
  PartitionedStores,
  type RepartitionMessage,
  type Topology,
  tumbling,
  WindowedAggregation,
  type WindowRow,
  windowState,
} from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { QUEUE_WINDOW_MS, type QueueStatsColumns, WaitingCalls } from '../calls';
import type { CallsHopValue } from './calls-hop';
import { Refusals, type RefusalType } from './data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from './data-quality-sql';
import { isoTime, metricUpdateRecord } from './metric-update-record';
import { queueSlaAggregator, type SlaFact, type SlaWindowAcc } from './queue-sla-aggregator';
import { latestQueueStats, upsertQueueStats } from './queue-stats-rows';
import { queueGaugeUpdate, queueStatsUpdate } from './queue-updates';

export interface QueueStageOptions {
  /** The repartition (hop) topic this stage reads: late facts go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic: string;
  /** Partitions of the upstream topic (events.calls): the inputs whose minimum stream time closes windows. */
  inputs: number;
  updatesTopic: string;
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
  clock?: () => number;
  onLate?: (key: string, timestamp: number) => void;
}

/** A message of the hop topic with its offset (provenance of a late fact). */
export type HopMessage = RepartitionMessage<CallsHopValue> & { readonly offset?: string };

export type QueueStageResult = WindowRow<QueueStatsColumns> | { readonly dq: DataQualityRow };

export interface QueueStage extends Topology<QueueStageResult, HopMessage> {
  /** Facts refused since start (`late`: their window had closed here). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/** What stage 2 keeps per queue besides its windows: the SLA and the waiting gauge. Plain JSON. */
export interface QueueState {
  slaSeconds: number;
  waiting: Array<[callId: string, startTs: number]>;
  /** Version of the last `queue_gauge` update sent. */
  gaugeVersion: number;
}

/**
 * Stage 2, per (tenant, queue) from the repartition topic: 1-minute windows with every `queue_stats_1m` column
 * (the engine's WindowedAggregation: time = minimum over the upstream partitions, grace, versions, final on
 * close, retractions — so backlogs and replays give the live result), the queue's SLA and its waiting gauge.
 * Repeats of the at-least-once relay are dropped by the per-source sequence before anything is applied.
 * A fact that still arrives after its window closed (stage 1 seals first, so this should not happen) is a
 * `late_call_fact` data-quality row and a record on `<hop topic>.dlq`, never a change of a final row.
 */
export function queueStage(opts: QueueStageOptions): QueueStage {
  const rows: WindowRow<QueueStatsColumns>[] = [];
  const outbox: OutboxRecord[] = [];
  const dqRows: QueueStageResult[] = [];
  const refusals = new Refusals((dq) => dqRows.push({ dq }));
  /** Offsets of the batch being processed, by `<source>:<sequence>` (the engine's records do not carry them). */
  const offsets = new Map<string, string>();

  function late({ record: r, streamTime, missedWindowStarts }: LateRecord<SlaFact>): void {
    const fact = r.value.fact;
    const row: DataQualityRow = {
      tenant: parseStreamId(r.key).tenant,
      kind: 'late_call_fact',
      entityType: 'call',
      entityId: fact.callId,
      eventTs: fact.ts,
      detail: {
        queue: fact.queue,
        fact: fact.kind,
        retract: r.retract === true,
        windowStarts: missedWindowStarts.map(isoTime),
        streamTime: isoTime(streamTime),
        graceMs: opts.graceMs,
      },
    };
    const offset = offsets.get(`${r.source}:${r.sequence}`) ?? '-1';
    const source = { topic: opts.inputTopic, partition: r.partition, offset, streamId: r.key };
    const reason = `${fact.kind} fact of call ${fact.callId} reached queue ${fact.queue} after its window closed (stream time ${isoTime(streamTime)})`;
    refusals.refuse(source, row, 'late', reason);
    opts.onLate?.(r.key, r.timestamp);
  }
  const windows = new WindowedAggregation<SlaFact, SlaWindowAcc, QueueStatsColumns>({
    window: tumbling(QUEUE_WINDOW_MS),
    aggregator: queueSlaAggregator,
    grace: opts.graceMs,
    emit: 'current',
    inputs: opts.inputs,
    idleMs: opts.mode === 'live' ? opts.idleMs : undefined,
    mode: opts.mode,
    clock: opts.clock,
    sink: rows,
    onLate: late,
  });
  const queues = new PartitionedStores<QueueState>();
  const sequences = new Map<number, number[]>();

  const sequenceState: CheckpointedState = {
    name: 'queue-hop-sequences',
    restore: (p, state) => void sequences.set(p, ((state?.meta as { seen?: number[] } | null)?.seen ?? []).slice()),
    changes: (p) => ({ meta: { seen: sequences.get(p) ?? [] } }),
    markCheckpointed: () => undefined,
    revoke: (p) => void sequences.delete(p),
  };

  return {
    states: [windowState('queue-stats', windows), keyedState('queues', queues), sequenceState],

    process(partition, messages) {
      const seen = sequences.get(partition);
      const store = queues.get(partition);
      if (!seen || !store) throw new Error(`queue stage: partition ${partition} is not assigned`);
      const forWindows: RepartitionMessage<SlaFact>[] = [];
      const gauges = new Map<string, WaitingCalls>();
      for (const m of messages) {
        if (m.kind === 'time') {
          forWindows.push(m);
          continue;
        }
        if (m.sequence <= (seen[m.sourcePartition] ?? -1)) continue; // a repeat of the relay
        seen[m.sourcePartition] = m.sequence;
        if (m.offset !== undefined) offsets.set(`${m.sourcePartition}:${m.sequence}`, m.offset);
        const v = m.value;
        const state = store.get(m.key);
        if (v.kind === 'fact') {
          // The verdict's SLA: what this queue's properties said when the fact reached its queue.
          const value: SlaFact = { fact: v.fact, slaSeconds: state?.slaSeconds ?? DEFAULT_SLA_SECONDS };
          forWindows.push({ ...m, value });
        } else if (v.kind === 'queue') {
          store.set(m.key, { ...(state ?? emptyQueue()), slaSeconds: v.slaSeconds }, m.timestamp);
        } else {
          const queue = parseStreamId(m.key).entityId;
          let gauge = gauges.get(m.key);
          if (!gauge) {
            gauge = new WaitingCalls(state?.waiting ?? []);
            gauges.set(m.key, gauge);
          }
          gauge.apply(queue, v.change);
        }
      }
      windows.processMessages(partition, forWindows);
      offsets.clear();
      // One gauge update per queue and batch (conflated), only when the gauge moved.
      for (const [key, gauge] of gauges) {
        const state = store.get(key) ?? emptyQueue();
        const before = new WaitingCalls(state.waiting).gauge();
        const after = gauge.gauge();
        const waiting = gauge.snapshot();
        const moved = before.waiting !== after.waiting || before.longestWaitingSince !== after.longestWaitingSince;
        const version = moved ? state.gaugeVersion + 1 : state.gaugeVersion;
        store.set(key, { ...state, waiting, gaugeVersion: version }, after.longestWaitingSince ?? 0);
        if (!moved) continue;
        const { tenant, entityId } = parseStreamId(key);
        outbox.push(metricUpdateRecord(opts.updatesTopic, queueGaugeUpdate(tenant, entityId, version, after)));
      }
    },

    tick: (now) => void windows.tick(now),

    drain() {
      const changed = rows.splice(0);
      const updates = latestQueueStats(changed).map((r) => metricUpdateRecord(opts.updatesTopic, queueStatsUpdate(r)));
      return {
        results: [...changed, ...dqRows.splice(0)],
        outbox: [...outbox.splice(0), ...updates, ...refusals.drain()],
      };
    },

    async writeResults(client: PoolClient, results) {
      const stats: WindowRow<QueueStatsColumns>[] = [];
      const quality: DataQualityRow[] = [];
      for (const r of results) {
        if ('dq' in r) quality.push(r.dq);
        else stats.push(r);
      }
      await upsertQueueStats(client, latestQueueStats(stats));
      await writeDataQuality(client, quality);
    },

    refused: refusals.counts,
  };
}

function emptyQueue(): QueueState {
  return { slaSeconds: DEFAULT_SLA_SECONDS, waiting: [], gaugeVersion: 0 };
}
