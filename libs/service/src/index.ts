export { bounded } from './bounded';
export { CONNECTION_ENV_KEYS, type Connections, connectionsOf } from './connections';
export {
  DASHBOARD_TOKEN_SECRET_FILE,
  DashboardSecretError,
  type DashboardTokenSecret,
  DEFAULT_DASHBOARD_GATEWAY_PORT,
  DEFAULT_DATA_DIR,
  dashboardLink,
  dashboardPublicUrl,
  dashboardTokenSecret,
} from './dashboard-token-secret';
export {
  DATABASE_ENV_KEYS,
  type DatabaseConnection,
  databasePool,
  databasePoolProvider,
  loadDatabaseConnection,
  nestStreamsLogger,
  PG_POOL,
  poolConfig,
} from './database-pool';
export { EnvError } from './env-files';
export { sharedEnv } from './env-schemas';
export {
  CLOSE_ON_SHUTDOWN,
  type CloseOnShutdown,
  GracefulShutdown,
  gracefulShutdownProviders,
  SHUTDOWN_STATE,
  type ShutdownState,
} from './graceful-shutdown';
export { HealthController, LivenessController } from './health.controller';
export { type HttpServiceOptions, startHttpService } from './http-app';
export {
  ApiError,
  type ErrorBody,
  HTTP_ERROR_CODES,
  JsonErrorFilter,
  type RenderErrorOptions,
  type RenderedError,
  renderError,
} from './http-errors';
export { HttpMetrics, type HttpMetricsOptions, MetricsController } from './http-metrics';
export { type HttpServiceImportsOptions, httpServiceImports } from './http-service-imports';
export type { HttpRequest, HttpResponse } from './http-types';
export {
  KAFKA_ENV_KEYS,
  KafkaAccessError,
  type KafkaClientSettings,
  type KafkaConnection,
  loadKafkaConnection,
  streamingClientOptions,
} from './kafka-connection';
export {
  NotReady,
  postgresReady,
  READINESS_CHECKS,
  READINESS_TIMEOUT_MS,
  type ReadinessCheck,
  readinessProbe,
} from './readiness';
export { requestLogLevel, SLOW_REQUEST_MS } from './request-log-level';
export { securityHeaders } from './security-headers';
export {
  MissingTopicsError,
  SERVICE_STATUS,
  type ServiceStatusOptions,
  ServiceStatusReporter,
  serviceStatus,
} from './service-status';
export {
  type PlannedTopic,
  type SwitchboardService,
  serviceTopics,
  type TopicPlanOptions,
  topicPlan,
} from './topic-plan';
