import { DEFAULT_TOPIC_PARTITIONS, Topics, UpdateTopics } from '@switchboard/domain';
import { decodeRepartition, type StreamProcessor } from '@switchboard/streams';
import type { Pipeline, PipelineContext, RefusedCounts } from '../pipeline';
import { callsStage } from './call-stage/calls-stage';
import { type CallsHopValue, callsHopTopic, type HopMessage } from './calls-hop';
import { queueStage } from './queue-stage/queue-stage';

/** Overrides for tests and tools; the app runs with the defaults. */
export interface CallsPipelineOptions {
  /** Default `events.calls`. */
  inputTopic?: string;
  /** Default `<groupPrefix>.calls.by-queue`: a fresh group prefix (a replay) gets a fresh hop topic. */
  repartitionTopic?: string;
  /** Default `metrics.updates`. */
  updatesTopic?: string;
  /** Partitions of the input topic (and so of the hop topic). Default the client's, else 2 (as ingest creates it). */
  partitions?: number;
  checkpointIntervalMs?: number;
  /** A started call without an end this long after its start (stream time) expires; default 4 h. */
  maxCallAgeMs?: number;
  /**
   * How long (stream time) after its grace a final queue window still takes late events (restated): the horizon of
   * both stages. Default ≈ 7 days (ingest's accepted past, `restatementHorizonMs`); the app passes its config's.
   */
  restateForMs?: number;
  clock?: () => number;
}

/**
 * The contact-centre pipeline: two consumer groups with a repartition hop between them.
 * - `<groupPrefix>.calls` on events.calls: per-call state → facts and waiting changes by queue (call-stage/);
 * - `<groupPrefix>.queues` on the hop topic: per-queue 1-minute windows → queue_stats_1m, and update events
 *   (queue_stats_1m rows, queue_gauge) on metrics.updates (queue-stage/).
 * Both stages share one restatement horizon (`restateForMs`): within it a late call event is counted (stage 1 folds
 * it in, stage 2 restates the final windows it touches); beyond it, it is refused (call_event_beyond_horizon).
 * Both write through the checkpoint outbox: the app must run an OutboxRelay on the same tablePrefix, which
 * carries the hop records as well as the update events.
 */
export function callsPipeline(ctx: PipelineContext, options: CallsPipelineOptions = {}): Pipeline {
  const input = options.inputTopic ?? Topics.calls;
  const hopTopic = options.repartitionTopic ?? callsHopTopic(ctx.groupPrefix);
  const updatesTopic = options.updatesTopic ?? UpdateTopics.updates;
  const partitions = options.partitions ?? ctx.client.options.defaultPartitions ?? DEFAULT_TOPIC_PARTITIONS;
  const common = {
    pool: ctx.pool,
    tablePrefix: ctx.tablePrefix,
    checkpointIntervalMs: options.checkpointIntervalMs,
    clock: options.clock,
  };
  const time = { graceMs: ctx.graceMs, idleMs: ctx.idleMs, mode: ctx.mode, clock: options.clock };
  let processors: StreamProcessor<unknown, unknown>[] = [];
  let stages: { refused: RefusedCounts }[] = [];

  return {
    name: 'calls',
    async start() {
      await ctx.client.ensureTopics([input, hopTopic], { partitions });
      await ctx.client.ensureTopics([updatesTopic]);
      const perCall = callsStage({
        inputTopic: input,
        repartitionTopic: hopTopic,
        partitions,
        maxCallAgeMs: options.maxCallAgeMs,
        restateForMs: options.restateForMs,
        ...time,
      });
      const perQueue = queueStage({
        inputTopic: hopTopic,
        inputs: partitions,
        updatesTopic,
        restateForMs: options.restateForMs,
        ...time,
        onLate: (key, ts) => ctx.logger.warn('queue fact arrived beyond its window’s restatement horizon', { key, ts }),
      });
      stages = [perCall, perQueue];
      const calls = ctx.client.getStreamProcessor(
        input,
        { ...common, consumerGroup: `${ctx.groupPrefix}.calls`, topology: perCall },
        { partitions },
      );
      const queues = ctx.client.getStreamProcessor(
        hopTopic,
        {
          ...common,
          consumerGroup: `${ctx.groupPrefix}.queues`,
          topology: perQueue,
          decode: (_p, m): HopMessage => ({
            ...decodeRepartition<CallsHopValue>(m.key, m.headers, m.value),
            offset: m.offset,
          }),
        },
        { partitions },
      );
      processors = [calls, queues] as StreamProcessor<unknown, unknown>[];
      await calls.start();
      await queues.start();
    },
    async close() {
      for (const p of processors) await p.close();
      processors = [];
    },
    refused: () => ({
      late: stages.reduce((n, s) => n + s.refused.late, 0),
      invalid: stages.reduce((n, s) => n + s.refused.invalid, 0),
    }),
  };
}
