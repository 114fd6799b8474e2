export { type AlertCycle, stepAlertCycle, type Verdict } from './alert-cycle';
export { type AlertInput, alertInputOf, InvalidAlertInputError } from './alert-inputs';
export {
  type AlertChange,
  type AlertSettings,
  alertEntityKey,
  applyAlertInput,
  type EntityAlertState,
  evaluateEntity,
  METER_ALERT_STATE_TTL_MS,
  type MeterAlertState,
  type QueueAlertState,
  SERVICE_LEVEL_MIN_CALLS,
  SERVICE_LEVEL_SPAN_MS,
  SPIKE_BASELINE_SPAN_MS,
  SPIKE_MIN_BASELINE_WINDOWS,
} from './entity-alerts';
