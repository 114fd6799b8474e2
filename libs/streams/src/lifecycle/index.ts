export { InvalidStatusTransitionError, type StatusStep } from './invalid-status-transition-error';
export { type LifecycleChange, ServiceLifecycle, type ServiceLifecycleOptions } from './service-lifecycle';
export {
  canTransition,
  INITIAL_SERVICE_STATUSES,
  isServiceStatus,
  SERVICE_STATUS_TRANSITIONS,
  SERVICE_STATUSES,
  ServiceStatus,
} from './service-status';
export {
  SERVICE_STATUS_TOPIC_CONFIG,
  ServiceStatusPublisher,
  type ServiceStatusPublisherEvents,
  type ServiceStatusPublisherOptions,
} from './service-status-publisher';
export {
  DEFAULT_HEARTBEAT_MS,
  isUnresponsive,
  MAX_DETAIL_LENGTH,
  MAX_STATUS_VALUE_BYTES,
  readServiceStatus,
  SERVICE_STATUS_MODEL,
  SERVICE_STATUS_TOPIC,
  type ServiceStatusRecord,
  serviceStatusKey,
  UNRESPONSIVE_AFTER_HEARTBEATS,
} from './service-status-record';
