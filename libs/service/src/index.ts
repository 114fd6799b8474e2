export { bounded } from './bounded';
export { sharedEnv } from './env-schemas';
export { LivenessController } from './health.controller';
export { type HttpServiceOptions, startHttpService } from './http-app';
export { SERVICE_STATUS, type ServiceStatusOptions, ServiceStatusReporter, serviceStatus } from './service-status';
