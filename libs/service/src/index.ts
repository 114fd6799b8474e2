export { bounded } from './bounded';
export { sharedEnv } from './env-schemas';
export { LivenessController } from './health.controller';
export { type HttpServiceOptions, startHttpService } from './http-app';
