import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { IngestModule, type IngestModuleOptions } from './app.module';
import { ErrorFilter } from './http/error.filter';
import { IngestMetrics } from './metrics/ingest-metrics';
import { requestMetrics } from './metrics/request-metrics.middleware';
import { setupOpenApi } from './openapi';

/** Builds the ingest app (not yet listening): main.ts and the integration tests share it. */
export async function createIngestApp(options: IngestModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create(IngestModule.register(options), {
    // Bodies are read by the handlers themselves, after authentication, with our own size limits.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(requestMetrics(app.get(IngestMetrics)));
  app.useGlobalFilters(new ErrorFilter(options.config.publish.retryAfterSeconds));
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
