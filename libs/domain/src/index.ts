export {
  ALERT_RULE_NAMES,
  ALERT_RULES,
  type AlertRule,
  type AlertSetting,
  type AlertSeverity,
  type AlertState,
  alertSeverity,
  alertThresholdProblem,
  defaultAlertSetting,
  type EffectiveAlertSetting,
  effectiveAlertSettings,
  isAlertRule,
} from './alerts';
export { generateApiKey, hashApiKey, isWellFormedApiKey, type NewApiKey } from './api-keys';
export {
  createDashboardToken,
  DASHBOARD_ROLES,
  type DashboardClaims,
  type DashboardRole,
  DashboardTokenError,
  dashboardTokenId,
  MAX_TOKEN_TTL_SECONDS,
  MIN_SECRET_BYTES,
  verifyDashboardToken,
} from './dashboard-token';
export * from './events';
export {
  DEFAULT_SLA_SECONDS,
  type MeterPropertiesInput,
  meterMetadata,
  meterPropertiesSchema,
  type QueuePropertiesInput,
  queueMetadata,
  queuePropertiesSchema,
  slaSecondsOf,
} from './properties';
export * from './queue-metrics';
export {
  type AgentEventValue,
  type CallEventValue,
  type EventRecord,
  type StreamRecord,
  type TimeseriesRecord,
  toStreamRecord,
} from './routing';
export {
  DEFAULT_TOPIC_PARTITIONS,
  InvalidStreamIdError,
  MeterSeries,
  namespaced,
  PropertyKeys,
  parseStreamId,
  streamId,
  type TopicName,
  Topics,
} from './topics';
export * from './update-rows';
export * from './updates';
