import type { ConsumedMessage, Topology } from '@switchboard/streams';
import { keyedState, repartitionOutbox, repartitionState } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import type { RefusalType } from '../../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../../data-quality-sql';
import { CallStageParts, type CallsStageOptions, type CallsStageResult } from './call-stage-parts';
import { type QueueRow, upsertQueues } from './calls-sql';
import { foldCallMessages } from './fold-call-events';
import { settleCalls } from './settle-calls';

export type { CallsStageOptions, CallsStageResult } from './call-stage-parts';

export interface CallsStage extends Topology<CallsStageResult> {
  /** Call events refused since start (`late` = beyond the restatement horizon: PRODUCT.md's late_events). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * Stage 1, per call (key = the call's stream `<tenant>/<callId>`): folds call events into `CallRecord`s and sends
 * their changes — signed facts and waiting-gauge changes — re-keyed by `<tenant>/<queue>` through the repartition
 * topic. Queue properties travel the same way, to the partition that owns the queue. Data-quality items
 * (conflicts, events beyond the horizon, unreadable events, orphans when they settle) are written here; the refused
 * events (beyond the horizon, unreadable) also go to `<inputTopic>.dlq` with the message they came from as
 * provenance.
 *
 * Time (call-stage-clock.ts): the partition's stream time (idling in live mode) minus grace seals windows (calls
 * settle, orphans are reported); minus grace and `restateForMs` it is the restatement horizon. A late event
 * within the horizon is folded in as an in-order one would be, whatever window its correction touches (stage 2
 * restates final ones); only an event whose correction would touch a window beyond the horizon is refused whole
 * (`call_event_beyond_horizon`). Stage 2 forgets windows on the minimum of what the boundaries announced, which
 * never exceeds this partition's time, so every fact sent from here finds its window there (open or retained).
 * A settled call (ended, or an orphan whose windows sealed) moves from `calls` to `calls-settled` in compact form
 * (`compactCall`) and leaves it when its windows pass the horizon.
 * A started call still without an end when its tenant's time in the partition (`tenantTime`) reaches start +
 * `maxCallAgeMs` expires (`expireCall`): checked before each event of the call is applied (so the outcome does not
 * depend on batching) and swept once per sealed window; it leaves the waiting gauge and becomes a `call_expired` row.
 */
export function callsStage(opts: CallsStageOptions): CallsStage {
  const parts = new CallStageParts(opts);
  const { settings, boundary, clocks } = parts;
  return {
    states: [
      keyedState('calls', parts.calls),
      keyedState('calls-settled', parts.settledCalls),
      clocks.state,
      repartitionState('calls-by-queue', boundary),
    ],
    process: (partition: number, messages: readonly ConsumedMessage[]) => foldCallMessages(parts, partition, messages),
    tick(now: number) {
      if (!settings.idles) return;
      for (const [p, c] of clocks.entries()) {
        if (!c.clock.idle(now, settings.idleMs)) continue;
        c.dirty = true;
        settleCalls(parts, p, parts.hops(p));
        boundary.announce();
      }
      boundary.tick(now);
    },
    drain: () => ({
      results: parts.results.splice(0),
      outbox: [
        ...repartitionOutbox(opts.repartitionTopic, opts.partitions, parts.emitted.splice(0)),
        ...parts.refusals.drain(),
      ],
    }),
    writeResults: writeCallStageResults,
    refused: parts.refusals.counts,
  };
}

/** Data-quality rows and queue properties of a checkpoint: one statement each. */
async function writeCallStageResults(client: PoolClient, list: CallsStageResult[]): Promise<void> {
  const dqRows: DataQualityRow[] = [];
  const queues: QueueRow[] = [];
  for (const r of list) {
    if ('dq' in r) dqRows.push(r.dq);
    else queues.push(r.queue);
  }
  await writeDataQuality(client, dqRows);
  await upsertQueues(client, queues);
}
