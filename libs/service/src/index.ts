export { LivenessController } from './health.controller';
export { type HttpServiceOptions, startHttpService } from './http-app';
