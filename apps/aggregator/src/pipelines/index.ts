import { namespaced, Topics, UpdateTopics } from '@switchboard/domain';
import { agentsPipeline } from './agents/agents-pipeline';
import { alertsPipeline } from './alerts/alerts-pipeline';
import { callsPipeline } from './calls/calls-pipeline';
import { energyPipeline } from './energy';
import type { PipelineContext } from './pipeline';
import type { PipelineFactory } from './pipeline-runner';

const updatesOf = (ctx: PipelineContext) => namespaced(UpdateTopics.updates, ctx.topicNamespace);

/** Every pipeline the aggregator runs, in start order (the alert rules read what the others publish). */
export const aggregatorPipelines: readonly PipelineFactory[] = [
  (ctx) => energyPipeline(ctx, { topic: namespaced(Topics.meters, ctx.topicNamespace), updatesTopic: updatesOf(ctx) }),
  (ctx) => agentsPipeline(ctx, { topic: namespaced(Topics.agents, ctx.topicNamespace), updatesTopic: updatesOf(ctx) }),
  (ctx) =>
    callsPipeline(ctx, {
      inputTopic: namespaced(Topics.calls, ctx.topicNamespace),
      updatesTopic: updatesOf(ctx),
      maxCallAgeMs: ctx.maxCallAgeMs,
      restateForMs: ctx.restateForMs,
    }),
  (ctx) =>
    alertsPipeline(ctx, {
      updatesTopic: updatesOf(ctx),
      alertsTopic: namespaced(UpdateTopics.alerts, ctx.topicNamespace),
    }),
];
