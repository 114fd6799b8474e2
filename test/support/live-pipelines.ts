import type { StreamingClient } from '@switchboard/streams';
import type { Pool } from 'pg';
import { aggregatorPipelines } from '../../apps/aggregator/src/pipelines';
import { PipelineRunner } from '../../apps/aggregator/src/pipelines/pipeline-runner';
import { uniqueName } from './env';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * The aggregator's pipelines (all, or the ones given) in this process, live, in consumer groups of their own on the
 * topics of `namespace`: what an aggregator instance runs, for specs that need its rows and update events.
 */
export function livePipelines(
  deps: { client: StreamingClient; pool: Pool; namespace: string },
  pipelines: typeof aggregatorPipelines = aggregatorPipelines,
): PipelineRunner {
  return new PipelineRunner(
    {
      client: deps.client,
      pool: deps.pool,
      logger: quiet,
      groupPrefix: uniqueName('agg').replaceAll('-', '_'),
      topicNamespace: deps.namespace,
      graceMs: 60_000,
      idleMs: 1000,
      tablePrefix: 'streams_',
      mode: 'live',
    },
    pipelines,
  );
}
