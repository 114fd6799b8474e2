import type { PipelineFactory } from './pipeline-runner';

/** Every pipeline the aggregator runs, in start order. */
export const aggregatorPipelines: readonly PipelineFactory[] = [];
