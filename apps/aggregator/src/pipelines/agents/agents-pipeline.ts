import { Topics, UpdateTopics } from '@switchboard/domain';
import { decodeEntityMessage } from '../energy-decode';
import type { Pipeline, PipelineContext } from '../pipeline';
import { type AgentsResult, agentsTopology } from './agents-topology';

/** Overrides for tests and tools: other topics, a faster checkpoint. The app passes none. */
export interface AgentsPipelineOptions {
  topic?: string;
  updatesTopic?: string;
  checkpointIntervalMs?: number;
}

/**
 * The agents pipeline: `events.agents` in consumer group `<groupPrefix>.agents` → `agent_status` (latest per
 * agent by event time) and `agent_status` / `agent_counts` updates on metrics.updates, exactly once per
 * checkpoint. Undecodable messages go to `events.agents.dlq`; unusable statuses to data_quality_events and to the
 * same dead-letter topic.
 */
export function agentsPipeline(ctx: PipelineContext, options: AgentsPipelineOptions = {}): Pipeline {
  const topic = options.topic ?? Topics.agents;
  const topology = agentsTopology({
    inputTopic: topic,
    tablePrefix: ctx.tablePrefix,
    updatesTopic: options.updatesTopic ?? UpdateTopics.updates,
  });
  const processor = ctx.client.getStreamProcessor<AgentsResult>(topic, {
    consumerGroup: `${ctx.groupPrefix}.agents`,
    topology,
    decode: decodeEntityMessage,
    pool: ctx.pool,
    tablePrefix: ctx.tablePrefix,
    checkpointIntervalMs: options.checkpointIntervalMs,
  });
  processor.on('restart', ({ reason }) => ctx.logger.warn(`agents pipeline restarts: ${reason}`));
  return {
    name: 'agents',
    start: () => processor.start(),
    close: () => processor.close(),
    refused: () => topology.refused,
  };
}
