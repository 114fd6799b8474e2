export { bounded } from './bounded';
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
export { databasePool, nestStreamsLogger } from './database-pool';
export { sharedEnv } from './env-schemas';
export { LivenessController } from './health.controller';
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
export { readinessProbe } from './readiness';
export { SERVICE_STATUS, type ServiceStatusOptions, ServiceStatusReporter, serviceStatus } from './service-status';
