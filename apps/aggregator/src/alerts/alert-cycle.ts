import { type AlertRule, type AlertSeverity, alertSeverity } from '@switchboard/domain';

/**
 * One rule on one entity over time. A breach raises an alert (a new row, identified by its `firedAt`); a change
 * of severity while firing updates the row; the end of the breach resolves it. A value that moves without
 * changing the severity does not touch the row: an alert is a state, not a stream of samples.
 */
export interface AlertCycle {
  firing: boolean;
  /** Stream time the current (or last) alert fired at: the alert row's identity together with rule and entity. */
  firedAt: number;
  resolvedAt: number | null;
  severity: AlertSeverity;
  value: number;
  threshold: number;
  message: string;
  details: Record<string, unknown>;
  /** The alert row's version: 1 when raised, +1 at every change. */
  version: number;
}

/** A rule's judgement now: breached or not, with the numbers; undefined when it cannot judge (too little data, disabled). */
export interface Verdict {
  breach: boolean;
  value: number;
  threshold: number;
  message: string;
  details?: Record<string, unknown>;
}

/** The next cycle and whether the alert row changed (then `next` is the row to write). */
export interface CycleStep {
  next: AlertCycle | undefined;
  changed: boolean;
}

export function stepAlertCycle(
  rule: AlertRule,
  cycle: AlertCycle | undefined,
  verdict: Verdict | undefined,
  now: number,
): CycleStep {
  const firing = cycle?.firing === true;
  if (!verdict?.breach) {
    if (!cycle || !firing) return { next: cycle, changed: false };
    return {
      next: {
        ...cycle,
        firing: false,
        resolvedAt: now,
        version: cycle.version + 1,
        details: { ...cycle.details, resolvedValue: verdict?.value ?? null },
      },
      changed: true,
    };
  }
  const severity = alertSeverity(rule, verdict.value, verdict.threshold);
  if (firing && cycle) {
    if (cycle.severity === severity && cycle.threshold === verdict.threshold) return { next: cycle, changed: false };
    return { next: { ...cycle, ...fields(verdict), severity, version: cycle.version + 1 }, changed: true };
  }
  // A new alert's row is identified by its fire time: never two at one instant of stream time.
  if (cycle && now <= cycle.firedAt) return { next: cycle, changed: false };
  return {
    next: { firing: true, firedAt: now, resolvedAt: null, severity, ...fields(verdict), version: 1 },
    changed: true,
  };
}

function fields(v: Verdict): Pick<AlertCycle, 'value' | 'threshold' | 'message' | 'details'> {
  return { value: v.value, threshold: v.threshold, message: v.message, details: v.details ?? {} };
}
