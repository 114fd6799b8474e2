import { Counter, type Registry } from 'prom-client';
import type { PipelineRunner } from '../pipelines/pipeline-runner';

/** `switchboard_refused_inputs_total{pipeline, reason}`: late (PRODUCT.md's late_events) and invalid inputs. */
export function registerRefusedInputsMetric(registry: Registry, runner: Pick<PipelineRunner, 'refused'>): void {
  new Counter({
    name: 'switchboard_refused_inputs_total',
    help: 'Inputs refused since start, each a data_quality_events row and a dead letter: late (beyond grace) or invalid',
    labelNames: ['pipeline', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of runner.refused()) this.inc({ pipeline: r.pipeline, reason: r.reason }, r.count);
    },
  });
}
