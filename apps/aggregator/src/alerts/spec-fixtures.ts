import { type AlertRule, type AlertSetting, defaultAlertSetting } from '@switchboard/domain';
import type { AlertInput } from './alert-inputs';
import {
  type AlertChange,
  alertEntityKey,
  applyAlertInput,
  type EntityAlertState,
  evaluateEntity,
} from './entity-alerts';

export const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
export const MIN = 60_000;

/** One entity's rules run by hand: inputs in, alert changes out, at the stream times the test names. */
export class EntityRig {
  state: EntityAlertState | undefined;
  readonly changes: AlertChange[] = [];
  settings: Partial<Record<AlertRule, AlertSetting>> = {};

  constructor(readonly key: string) {}

  apply(input: AlertInput, now: number): AlertChange[] {
    if (alertEntityKey(input) !== this.key) throw new Error(`input of ${alertEntityKey(input)} given to ${this.key}`);
    this.state = applyAlertInput(this.state, input);
    return this.evaluate(now);
  }

  evaluate(now: number): AlertChange[] {
    if (!this.state) return [];
    const r = evaluateEntity(this.key, this.state, now, (_t, rule) => this.settings[rule] ?? defaultAlertSetting(rule));
    this.state = r.state;
    this.changes.push(...r.changes);
    return r.changes;
  }

  firing(rule: AlertRule): boolean {
    return this.state?.alerts[rule]?.firing === true;
  }
}

export const queueWindow = (windowStart: number, answeredInSla: number, handled: number, version = 1): AlertInput => ({
  type: 'queue-window',
  tenant: 'acme',
  queue: 'sales',
  windowStart,
  answeredInSla,
  handled,
  version,
});

export const queueGauge = (longestWaitingSince: number | null, version: number): AlertInput => ({
  type: 'queue-gauge',
  tenant: 'acme',
  queue: 'sales',
  longestWaitingSince,
  version,
});

export const meterWindow = (windowStart: number, energyMwh: number, isFinal: boolean, version = 1): AlertInput => ({
  type: 'meter-window',
  tenant: 'acme',
  meterId: 'm-1',
  windowStart,
  energyMwh,
  isFinal,
  version,
});
