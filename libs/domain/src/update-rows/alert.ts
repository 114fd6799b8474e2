import { z } from 'zod';
import { ALERT_RULE_NAMES, type AlertRule, type AlertSeverity } from '../alerts';
import { type MetricUpdate, updateId } from '../updates';
import { entityId, isoOf, isoTime, rowVersion } from './fields';

/**
 * `alert`: one alert of the `alerts` table (on the `alerts` topic), identified by rule, entity and the time it
 * fired. Id `<tenant>/alert/<rule>/<entity type>/<entity id>/<fired at ms>`.
 */
export const alertRowSchema = z.object({
  tenant: entityId,
  rule: z.enum(ALERT_RULE_NAMES as [AlertRule, ...AlertRule[]]),
  entity_type: z.enum(['queue', 'meter']),
  entity_id: entityId,
  severity: z.enum(['warning', 'critical']),
  state: z.enum(['firing', 'resolved']),
  message: z.string(),
  value: z.number(),
  threshold: z.number(),
  details: z.record(z.string(), z.unknown()),
  fired_at: isoTime,
  resolved_at: isoTime.nullable(),
  version: rowVersion,
});
export type AlertRow = z.infer<typeof alertRowSchema>;
export type AlertUpdate = MetricUpdate<AlertRow> & { kind: 'alert' };

export interface AlertRecord {
  readonly tenant: string;
  readonly rule: AlertRule;
  readonly entityType: 'queue' | 'meter';
  readonly entityId: string;
  readonly severity: AlertSeverity;
  readonly firing: boolean;
  readonly message: string;
  readonly value: number;
  readonly threshold: number;
  readonly details: Record<string, unknown>;
  /** Epoch ms. */
  readonly firedAt: number;
  readonly resolvedAt: number | null;
  readonly version: number;
}

export function alertUpdate(a: AlertRecord): AlertUpdate {
  return {
    id: updateId(a.tenant, 'alert', a.rule, a.entityType, a.entityId, a.firedAt),
    kind: 'alert',
    tenant: a.tenant,
    version: a.version,
    row: {
      tenant: a.tenant,
      rule: a.rule,
      entity_type: a.entityType,
      entity_id: a.entityId,
      severity: a.severity,
      state: a.firing ? 'firing' : 'resolved',
      message: a.message,
      value: a.value,
      threshold: a.threshold,
      details: a.details,
      fired_at: isoOf(a.firedAt),
      resolved_at: a.resolvedAt === null ? null : isoOf(a.resolvedAt),
      version: a.version,
    },
  };
}
