import { Topics, UpdateTopics } from '@switchboard/domain';
import { decodeEntityMessage } from '../energy-decode';
import type { Pipeline, PipelineContext } from '../pipeline';
import { type EnergyResult, energyTopology } from './topology';

/** Overrides for tests and tools: other topics, a faster checkpoint. The app passes none. */
export interface EnergyPipelineOptions {
  topic?: string;
  updatesTopic?: string;
  checkpointIntervalMs?: number;
}

/**
 * The energy pipeline: `events.meters` in consumer group `<groupPrefix>.energy` → `meter_energy_15m`, `meters`,
 * `data_quality_events` and update events on `metrics.updates` (through the outbox), exactly once per checkpoint.
 * A reading for a final window restates it, for `ctx.restateForMs` after the window's close. Undecodable messages
 * go to `events.meters.dlq`, and so do readings beyond that horizon, impossible readings and invalid properties
 * (each also a data_quality_events row).
 */
export function energyPipeline(ctx: PipelineContext, options: EnergyPipelineOptions = {}): Pipeline {
  const topic = options.topic ?? Topics.meters;
  const topology = energyTopology({
    inputTopic: topic,
    graceMs: ctx.graceMs,
    idleMs: ctx.idleMs,
    restateForMs: ctx.restateForMs,
    mode: ctx.mode,
    updatesTopic: options.updatesTopic ?? UpdateTopics.updates,
  });
  const processor = ctx.client.getStreamProcessor<EnergyResult>(topic, {
    consumerGroup: `${ctx.groupPrefix}.energy`,
    topology,
    decode: decodeEntityMessage,
    pool: ctx.pool,
    tablePrefix: ctx.tablePrefix,
    checkpointIntervalMs: options.checkpointIntervalMs,
  });
  processor.on('restart', ({ reason }) => ctx.logger.warn(`energy pipeline restarts: ${reason}`));
  return {
    name: 'energy',
    start: () => processor.start(),
    close: () => processor.close(),
    refused: () => topology.refused,
  };
}
