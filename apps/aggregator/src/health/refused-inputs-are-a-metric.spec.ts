import { Registry } from 'prom-client';
import type { Pipeline, PipelineContext } from '../pipelines/pipeline';
import { PipelineRunner } from '../pipelines/pipeline-runner';
import { registerRefusedInputsMetric } from './refused-inputs-metric';

const pipeline = (name: string, refused?: { late: number; invalid: number }): Pipeline => ({
  name,
  start: async () => {},
  close: async () => {},
  ...(refused ? { refused: () => refused } : {}),
});

describe('switchboard_refused_inputs_total', () => {
  it("reports each pipeline's late and invalid inputs as they are at the scrape", async () => {
    const energy = { late: 2, invalid: 1 };
    const runner = new PipelineRunner({} as PipelineContext, [
      () => pipeline('energy', energy),
      () => pipeline('calls', { late: 0, invalid: 4 }),
      () => pipeline('alerts'),
    ]);
    const registry = new Registry();
    registerRefusedInputsMetric(registry, runner);
    const values = async () =>
      (await registry.getSingleMetric('switchboard_refused_inputs_total')?.get())?.values.map((v) => [
        v.labels.pipeline,
        v.labels.reason,
        v.value,
      ]);
    expect(await values()).toEqual([
      ['energy', 'late', 2],
      ['energy', 'invalid', 1],
      ['calls', 'late', 0],
      ['calls', 'invalid', 4],
    ]);
    energy.late = 5;
    expect((await values())?.[0]).toEqual(['energy', 'late', 5]);
    expect(await registry.metrics()).toContain('switchboard_refused_inputs_total{pipeline="energy",reason="late"} 5');
  });
});
