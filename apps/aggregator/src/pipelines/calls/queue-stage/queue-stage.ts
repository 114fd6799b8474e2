import {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  DEFAULT_SLA_SECONDS,
  parseStreamId,
  restatementHorizonMs,
} from '@switchboard/domain';
import {
  type CheckpointedState,
  type KeyedStore,
  keyedState,
  type LateRecord,
  type OutboxRecord,
  PartitionedStores,
  type RepartitionMessage,
  type StreamRecord,
  type Topology,
  tumbling,
  WindowedAggregation,
  type WindowRow,
  windowState,
} from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { type CallFact, QUEUE_WINDOW_MS, type QueueStatsColumns, queueWindowStart, WaitingCalls } from '../../../calls';
import { Refusals, type RefusalType } from '../../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../../data-quality-sql';
import { isoTime, metricUpdateRecord } from '../../metric-update-record';
import { type CallsHopValue, tenantOfQueueKey } from '../calls-hop';
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
  /**
   * How long (stream time) after its grace a closed window is kept and restated by a late fact (the call stage's
   * horizon, which refuses what would reach past it). Default ≈ 7 days (`restatementHorizonMs` of ingest's defaults).
   */
  restateForMs?: number;
  clock?: () => number;
  onLate?: (key: string, timestamp: number) => void;
}

/** A message of the hop topic with its offset (provenance of a late fact). */
export type HopMessage = RepartitionMessage<CallsHopValue> & { readonly offset?: string };

export type QueueStageResult = WindowRow<QueueStatsColumns> | { readonly dq: DataQualityRow };

export interface QueueStage extends Topology<QueueStageResult, HopMessage> {
  /** Facts refused since start (`late`: their window was beyond the restatement horizon here). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

/**
 * A change of a queue's SLA: it takes effect at `time`, the queue's tenant's time in the call-stage partition that read
 * the queue's properties (the hop record's timestamp; calls-stage.ts); ties are ordered by source partition, then
 * sequence.
 */
export type SlaChange = [time: number, source: number, sequence: number, slaSeconds: number];

/** An answered fact in a window still open here, with its source: what a later-arriving SLA change re-judges. */
export type OpenAnswer = [source: number, fact: CallFact & { kind: 'answered' }];

/** What stage 2 keeps per queue besides its windows: the SLA and the waiting gauge. Plain JSON. */
export interface QueueState {
  /** The SLA of the newest change (what the queue says now); verdicts use `slas`. */
  slaSeconds: number;
  /**
   * The SLA changes still needed by open or restatable windows, in effect order (absent in older checkpoints:
   * `slaSeconds` always).
   */
  slas?: SlaChange[];
  /** Answered facts of windows not yet closed here (absent in older checkpoints: none). */
  answers?: OpenAnswer[];
  waiting: Array<[callId: string, startTs: number]>;
  /** Version of the last `queue_gauge` update sent. */
  gaugeVersion: number;
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
 * of a row.
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
    const reason = `${fact.kind} fact of call ${fact.callId} reached queue ${fact.queue} after its window's restatement horizon (stream time ${isoTime(streamTime)})`;
    refusals.refuse(source, row, 'late', reason);
    opts.onLate?.(r.key, r.timestamp);
  }
  const restateForMs =
    opts.restateForMs ??
    restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
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
    restateForMs,
    // each tenant's windows close on its own time: the minimum over the call partitions of what each announced of
    // the tenant (calls-stage.ts's boundary), so one tenant's live traffic never closes another's backlog
    closeBy: tenantOfQueueKey,
  });
  const queues = new PartitionedStores<QueueState>();
  const sequences = new Map<number, number[]>();

  /** Windows of `key` ending at or before this are closed here (its tenant's time: the minimum over the sources). */
  function closedBefore(partition: number, key: string): number {
    const t = windows.closingTime(partition, key);
    return t === null ? Number.NEGATIVE_INFINITY : t - opts.graceMs;
  }

  /**
   * Adds an SLA change and re-judges the open answers it covers whose verdict it flips. Changes no open, restatable
   * or future window can need any more (all but the newest at or before the oldest time a fact can still have: the
   * restatement horizon) are dropped.
   */
  function changeSla(partition: number, key: string, state: QueueState, change: SlaChange): QueueState {
    const slas = [...slasOf(state), change].sort(compareSlaChanges);
    const closed = closedBefore(partition, key);
    const answers = (state.answers ?? []).filter(([, f]) => windowEnd(f.ts) > closed);
    const rejudged: StreamRecord<SlaFact>[] = [];
    for (const [source, fact] of answers) {
      const before = slaAt(state, fact.ts);
      const after = slaAt({ slas }, fact.ts);
      if (fact.waitMs <= before * 1000 === fact.waitMs <= after * 1000) continue;
      const common = { key, timestamp: fact.ts, partition, source };
      rejudged.push({ ...common, value: { fact, slaSeconds: before }, retract: true });
      rejudged.push({ ...common, value: { fact, slaSeconds: after } });
    }
    // No sequence: these are not relay records (their source's time is already past them, so it does not move).
    if (rejudged.length > 0) windows.process(rejudged);
    // a fact still to come ends after `partition time − grace − restateForMs`, and the tenant's time is not above it
    const horizon = closed - restateForMs - QUEUE_WINDOW_MS;
    let keepFrom = 0;
    for (let i = 0; i < slas.length; i++) if (slas[i][0] <= horizon) keepFrom = i;
    const kept = slas.slice(keepFrom);
    return { ...state, slaSeconds: kept[kept.length - 1][3], slas: kept, answers };
  }

  /** Drops the open answers of windows that closed, for the queues of this batch. */
  function forgetClosed(partition: number, store: KeyedStore<QueueState>, messages: readonly HopMessage[]): void {
    const keys = new Set<string>();
    for (const m of messages) if (m.kind === 'record') keys.add(m.key);
    for (const key of keys) {
      const closed = closedBefore(partition, key);
      const state = store.get(key);
      if (!state?.answers?.length) continue;
      const answers = state.answers.filter(([, f]) => windowEnd(f.ts) > closed);
      if (answers.length !== state.answers.length) store.set(key, { ...state, answers }, closed);
    }
  }

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
      let forWindows: RepartitionMessage<SlaFact>[] = [];
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
          const value: SlaFact = { fact: v.fact, slaSeconds: slaAt(state, v.fact.ts) };
          forWindows.push({ ...m, value });
          if (v.fact.kind === 'answered') {
            const next = state?.answers ? state : { ...(state ?? emptyQueue()), answers: [] };
            trackAnswer(next.answers as OpenAnswer[], m.sourcePartition, v.fact, m.retract === true);
            store.set(m.key, next, m.timestamp);
          }
        } else if (v.kind === 'queue') {
          // The facts before the change go into their windows first; then the change re-judges the ones it covers.
          windows.processMessages(partition, forWindows);
          forWindows = [];
          // The stamp is the tenant's time at its source (calls-stage.ts): say so before re-judging, so the tenant's
          // time here, and with it what is closed, is not above it — every fact the change covers is then in a window
          // still open here, whatever the order the sources' messages came in.
          if (v.byPartition !== true)
            windows.advanceTime(partition, m.sourcePartition, m.timestamp, [[tenantOfQueueKey(m.key), m.timestamp]]);
          const change: SlaChange = [m.timestamp, m.sourcePartition, m.sequence, v.slaSeconds];
          store.set(m.key, changeSla(partition, m.key, state ?? emptyQueue(), change), m.timestamp);
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
      forgetClosed(partition, store, messages);
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
  return { slaSeconds: DEFAULT_SLA_SECONDS, slas: [], answers: [], waiting: [], gaugeVersion: 0 };
}

function windowEnd(ts: number): number {
  return queueWindowStart(ts) + QUEUE_WINDOW_MS;
}

type SlaOfQueue = { readonly slaSeconds?: number; readonly slas?: readonly SlaChange[] };

function compareSlaChanges(a: SlaChange, b: SlaChange): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The queue's SLA changes; a checkpoint from before they were kept has one SLA, in effect since always. */
function slasOf(state: SlaOfQueue): readonly SlaChange[] {
  if (state.slas) return state.slas;
  const sla = state.slaSeconds ?? DEFAULT_SLA_SECONDS;
  return sla === DEFAULT_SLA_SECONDS ? [] : [[Number.MIN_SAFE_INTEGER, -1, -1, sla]];
}

/** The SLA in effect at `ts`: the last change at or before it, else the default. */
function slaAt(state: SlaOfQueue | undefined, ts: number): number {
  let sla = DEFAULT_SLA_SECONDS;
  if (!state) return sla;
  for (const [time, , , seconds] of slasOf(state)) {
    if (time > ts) break;
    sla = seconds;
  }
  return sla;
}

/** Adds an answered fact to the open answers, or takes it out again (a retraction). */
function trackAnswer(
  answers: OpenAnswer[],
  source: number,
  fact: CallFact & { kind: 'answered' },
  retract: boolean,
): void {
  if (!retract) {
    answers.push([source, fact]);
    return;
  }
  const at = answers.findIndex(([, f]) => f.callId === fact.callId && f.ts === fact.ts && f.waitMs === fact.waitMs);
  if (at >= 0) answers.splice(at, 1);
}
