import {
  ALERT_RULE_NAMES,
  type AlertRule,
  alertThresholdProblem,
  type EffectiveAlertSetting,
  effectiveAlertSettings,
  ID_PATTERN,
  isAlertRule,
} from '@switchboard/domain';
import type { Pool } from 'pg';

export class AlertSettingsError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AlertSettingsError';
  }
}

export type { EffectiveAlertSetting };

export interface AlertRow {
  rule: string;
  entityType: string;
  entityId: string;
  state: string;
  severity: string;
  message: string;
  firedAt: Date;
  resolvedAt: Date | null;
}

/** The `alert_settings` table (per-tenant thresholds, read by the aggregator every few seconds) and the `alerts` log. */
export class AlertSettingsStore {
  constructor(private readonly pool: Pool) {}

  /** Every rule with what applies to the tenant now. */
  async effective(tenant: string): Promise<EffectiveAlertSetting[]> {
    checkTenant(tenant);
    const { rows } = await this.pool.query<{ rule: string; threshold: number; enabled: boolean }>(
      'SELECT rule, threshold, enabled FROM alert_settings WHERE tenant = $1',
      [tenant],
    );
    return effectiveAlertSettings(rows);
  }

  /** Sets a rule's threshold and/or switch for a tenant; what is not given keeps its current value. */
  async set(tenant: string, rule: string, change: { threshold?: number; enabled?: boolean }): Promise<void> {
    checkTenant(tenant);
    const r = checkRule(rule);
    const current = (await this.effective(tenant)).find((s) => s.rule === r) as EffectiveAlertSetting;
    const threshold = change.threshold ?? current.threshold;
    const problem = alertThresholdProblem(r, threshold);
    if (problem) throw new AlertSettingsError(problem, { tenant, rule, threshold });
    await this.pool.query(
      `INSERT INTO alert_settings (tenant, rule, threshold, enabled) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant, rule) DO UPDATE SET threshold = EXCLUDED.threshold, enabled = EXCLUDED.enabled,
         updated_at = now()`,
      [tenant, r, threshold, change.enabled ?? current.enabled],
    );
  }

  /** Back to the default for the rule. */
  async reset(tenant: string, rule: string): Promise<void> {
    checkTenant(tenant);
    await this.pool.query('DELETE FROM alert_settings WHERE tenant = $1 AND rule = $2', [tenant, checkRule(rule)]);
  }

  /** The tenant's alerts, newest first: all, or only those firing now. */
  async alerts(tenant: string, opts: { firingOnly: boolean; limit: number }): Promise<AlertRow[]> {
    checkTenant(tenant);
    const { rows } = await this.pool.query(
      `SELECT rule, entity_type, entity_id, state, severity, message, fired_at, resolved_at FROM alerts
       WHERE tenant = $1 AND ($2::boolean IS FALSE OR state = 'firing') ORDER BY fired_at DESC LIMIT $3`,
      [tenant, opts.firingOnly, opts.limit],
    );
    return rows.map((r) => ({
      rule: r.rule,
      entityType: r.entity_type,
      entityId: r.entity_id,
      state: r.state,
      severity: r.severity,
      message: r.message,
      firedAt: r.fired_at,
      resolvedAt: r.resolved_at,
    }));
  }
}

function checkTenant(tenant: string): void {
  if (!ID_PATTERN.test(tenant))
    throw new AlertSettingsError('tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -', { tenant });
}

function checkRule(rule: string): AlertRule {
  if (!isAlertRule(rule))
    throw new AlertSettingsError(`unknown rule ${rule}; the rules are ${ALERT_RULE_NAMES.join(', ')}`, { rule });
  return rule;
}
