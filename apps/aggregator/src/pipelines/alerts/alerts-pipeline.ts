import { UpdateTopics } from '@switchboard/domain';
import type { StreamProcessor } from '@switchboard/streams';
import type { AlertChange, AlertInput } from '../../alerts';
import type { Pipeline, PipelineContext } from '../pipeline';
import { AlertSettingsCache } from './alert-settings';
import { alertsTopology, decodeAlertInput } from './alerts-topology';

/** Overrides for tests and tools; the app passes the namespaced topics. */
export interface AlertsPipelineOptions {
  updatesTopic?: string;
  alertsTopic?: string;
  checkpointIntervalMs?: number;
  settingsRefreshMs?: number;
  clock?: () => number;
}

/**
 * The alert rules: `metrics.updates` in consumer group `<groupPrefix>.alerts` → `alerts` table and topic, exactly
 * once per checkpoint, with the tenants' thresholds from `alert_settings`. Unreadable updates go to
 * `metrics.updates.dlq`.
 */
export function alertsPipeline(ctx: PipelineContext, options: AlertsPipelineOptions = {}): Pipeline {
  const updatesTopic = options.updatesTopic ?? UpdateTopics.updates;
  const alertsTopic = options.alertsTopic ?? UpdateTopics.alerts;
  const settings = new AlertSettingsCache(ctx.pool, ctx.logger);
  let processor: StreamProcessor<AlertChange, AlertInput | null> | undefined;
  return {
    name: 'alerts',
    async start() {
      await ctx.client.ensureTopics([updatesTopic, alertsTopic]);
      await settings.start(options.settingsRefreshMs);
      processor = ctx.client.getStreamProcessor<AlertChange, AlertInput | null>(updatesTopic, {
        consumerGroup: `${ctx.groupPrefix}.alerts`,
        topology: alertsTopology({
          alertsTopic,
          idleMs: ctx.idleMs,
          mode: ctx.mode,
          settings: settings.lookup,
          clock: options.clock,
        }),
        decode: decodeAlertInput,
        pool: ctx.pool,
        tablePrefix: ctx.tablePrefix,
        checkpointIntervalMs: options.checkpointIntervalMs,
        clock: options.clock,
      });
      processor.on('restart', ({ reason }) => ctx.logger.warn(`alerts pipeline restarts: ${reason}`));
      await processor.start();
    },
    async close() {
      settings.stop();
      await processor?.close();
      processor = undefined;
    },
  };
}
