import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpMetrics, JsonErrorFilter, securityHeaders } from '@switchboard/service';
import { Logger } from 'nestjs-pino';
import { DashboardGatewayModule, type GatewayModuleOptions } from './app.module';
import { GATEWAY_ERRORS } from './http/api-error';
import { urlLengthLimit } from './http/request-limits';
import { setupOpenApi } from './openapi';

/** Builds the gateway app (not yet listening): main.ts and the integration tests share it. */
export async function createGatewayApp(options: GatewayModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create(DashboardGatewayModule.register(options), {
    // Every endpoint is a GET: no request body is ever read.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders());
  app.use(urlLengthLimit);
  app.use(app.get(HttpMetrics).middleware());
  app.useGlobalFilters(new JsonErrorFilter(GATEWAY_ERRORS));
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
