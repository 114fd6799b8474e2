import type { Topology, WindowRow } from '@switchboard/streams';
import { keyedState, windowState } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import type { QueueStatsColumns } from '../../../calls';
import type { RefusalType } from '../../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../../data-quality-sql';
import { metricUpdateRecord } from '../../metric-update-record';
import type { HopMessage } from '../calls-hop';
import { type QueueStageOptions, QueueStageParts, type QueueStageResult } from './queue-stage-parts';
import { latestQueueStats, upsertQueueStats } from './queue-stats-rows';
import { queueStatsUpdate } from './queue-updates';
import { routeHopMessages } from './route-hop-messages';

export type { QueueStageOptions, QueueStageResult } from './queue-stage-parts';

export interface QueueStage extends Topology<QueueStageResult, HopMessage> {
  /** Facts refused since start (`late`: their window was beyond the restatement horizon here). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * Stage 2, per (tenant, queue) from the repartition topic: 1-minute windows with every `queue_stats_1m` column
 * (the engine's WindowedAggregation: each tenant closes on its own time, the minimum over the upstream partitions of
 * what each announced of the tenant; grace, versions, final on close, retractions — so backlogs and replays give the
 * live result), the queue's SLA and its waiting gauge.
 * Repeats of the at-least-once relay are dropped by the per-source sequence before anything is applied.
 * The in-SLA verdict of an answered fact uses the SLA in effect at the fact's timestamp (see SlaChange). A queue's
 * properties and its calls' facts come from different upstream partitions, so their order here differs between a
 * live run and replays: an SLA change that arrives after facts it covers re-judges them (retract with the old
 * verdict, add with the new). Their windows are still open then (the change's time is at most its source's
 * time, and a fact it covers is at least that), so every row, final or not, ends the same whatever the order.
 *
 * Restatement: a closed window is kept (accumulator with its verdicts, version, revision) for `restateForMs` after
 * its grace; a late fact for it (stage 1 folded a late event) restates it: a `final` row with `version + 1` and
 * `revision + 1`, written with its revision and sent with `restatement: true`. Such a fact is judged with the SLA
 * in effect at its ts, like any fact (the SLA changes are kept back to the horizon for that); an SLA change never
 * re-judges a final window: it applies to answers at or after its effect time, and a fact it covers is in a window
 * still open when it arrives (above). A fact that still arrives beyond the horizon (stage 1 refuses those first, so
 * this should not happen) is a `late_call_fact` data-quality row and a record on `<hop topic>.dlq`, never a change
 * of a row (late-facts.ts).
 */
export function queueStage(opts: QueueStageOptions): QueueStage {
  const parts = new QueueStageParts(opts);
  return {
    states: [windowState('queue-stats', parts.windows), keyedState('queues', parts.queues), parts.sequenceState],
    process: (partition, messages) => routeHopMessages(parts, partition, messages),
    tick: (now) => void parts.windows.tick(now),
    drain() {
      const changed = parts.rows.splice(0);
      const updates = latestQueueStats(changed).map((r) => metricUpdateRecord(opts.updatesTopic, queueStatsUpdate(r)));
      return {
        results: [...changed, ...parts.dqRows.splice(0)],
        outbox: [...parts.outbox.splice(0), ...updates, ...parts.refusals.drain()],
      };
    },
    writeResults: writeQueueStageResults,
    refused: parts.refusals.counts,
  };
}

/** The newest emission of each `queue_stats_1m` row and the data-quality rows of a checkpoint: one statement each. */
async function writeQueueStageResults(client: PoolClient, results: QueueStageResult[]): Promise<void> {
  const stats: WindowRow<QueueStatsColumns>[] = [];
  const quality: DataQualityRow[] = [];
  for (const r of results) {
    if ('dq' in r) quality.push(r.dq);
    else stats.push(r);
  }
  await upsertQueueStats(client, latestQueueStats(stats));
  await writeDataQuality(client, quality);
}
