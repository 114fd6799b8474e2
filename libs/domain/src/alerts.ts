/**
 * The alert rules, their thresholds and defaults: the aggregator evaluates them, the CLI sets per-tenant
 * thresholds (table `alert_settings`), dashboards show them. A tenant without a setting for a rule gets the
 * default, enabled.
 */
export const ALERT_RULES = {
  /** Service level of a queue over the last 15 minutes below the threshold (a fraction 0–1). */
  queue_service_level_low: {
    entityType: 'queue',
    unit: 'fraction',
    defaultThreshold: 0.8,
    min: 0,
    max: 1,
    direction: 'below',
  },
  /** The longest-waiting call of a queue has waited longer than the threshold (seconds). */
  queue_longest_wait_high: {
    entityType: 'queue',
    unit: 'seconds',
    defaultThreshold: 120,
    min: 1,
    max: 86_400,
    direction: 'above',
  },
  /** No reading from a meter for longer than the threshold (seconds). */
  meter_silent: {
    entityType: 'meter',
    unit: 'seconds',
    defaultThreshold: 3_600,
    min: 60,
    max: 30 * 86_400,
    direction: 'above',
  },
  /** A meter's 15-minute energy above threshold × its trailing 24-hour average (a factor > 1). */
  meter_energy_spike: {
    entityType: 'meter',
    unit: 'factor',
    defaultThreshold: 3,
    min: 1.1,
    max: 1_000,
    direction: 'above',
  },
} as const;

export type AlertRule = keyof typeof ALERT_RULES;
export const ALERT_RULE_NAMES = Object.keys(ALERT_RULES) as AlertRule[];
export type AlertSeverity = 'warning' | 'critical';
export type AlertState = 'firing' | 'resolved';

/** What a tenant set for a rule (or the default). */
export interface AlertSetting {
  threshold: number;
  enabled: boolean;
}

export function isAlertRule(name: string): name is AlertRule {
  return Object.hasOwn(ALERT_RULES, name);
}

export function defaultAlertSetting(rule: AlertRule): AlertSetting {
  return { threshold: ALERT_RULES[rule].defaultThreshold, enabled: true };
}

/** Why a threshold is refused for a rule, or undefined when it is valid. */
export function alertThresholdProblem(rule: AlertRule, threshold: number): string | undefined {
  const r = ALERT_RULES[rule];
  if (!Number.isFinite(threshold)) return `threshold of ${rule} must be a number`;
  if (threshold < r.min || threshold > r.max) {
    return `threshold of ${rule} must be between ${r.min} and ${r.max} (${r.unit}); got ${threshold}`;
  }
  return undefined;
}

/**
 * Severity of a breach: critical when it is twice as bad as the threshold allows (a service level below half
 * the threshold, a wait or silence over twice it, energy over twice the factor), warning otherwise.
 */
export function alertSeverity(rule: AlertRule, value: number, threshold: number): AlertSeverity {
  return ALERT_RULES[rule].direction === 'below'
    ? value < threshold / 2
      ? 'critical'
      : 'warning'
    : value > threshold * 2
      ? 'critical'
      : 'warning';
}

/** What applies to a tenant for one rule: its own setting, or the default. */
export interface EffectiveAlertSetting {
  rule: AlertRule;
  threshold: number;
  unit: string;
  enabled: boolean;
  /** 'tenant' when the tenant set it, 'default' otherwise. */
  source: 'tenant' | 'default';
}

/**
 * Every rule with what applies to a tenant, from its `alert_settings` rows: what the aggregator judges by, what the
 * CLI lists and what dashboards colour by. A row the rule cannot use (unknown rule, threshold out of range) is
 * passed over for the default, as the aggregator does.
 */
export function effectiveAlertSettings(
  own: readonly { rule: string; threshold: number; enabled: boolean }[],
): EffectiveAlertSetting[] {
  const set = new Map(own.map((r) => [r.rule, r]));
  return ALERT_RULE_NAMES.map((rule) => {
    const row = set.get(rule);
    const usable = row !== undefined && alertThresholdProblem(rule, row.threshold) === undefined;
    const base = usable ? row : defaultAlertSetting(rule);
    return {
      rule,
      threshold: base.threshold,
      unit: ALERT_RULES[rule].unit,
      enabled: base.enabled,
      source: usable ? 'tenant' : 'default',
    };
  });
}
