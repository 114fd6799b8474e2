import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JsonErrorFilter, securityHeaders } from '@switchboard/service';
import { Logger } from 'nestjs-pino';
import { IngestModule, type IngestModuleOptions } from './app.module';
import { ingestErrors } from './http/api-error';
import { IngestMetrics } from './metrics/ingest-metrics';
import { setupOpenApi } from './openapi';

/** Builds the ingest app (not yet listening): main.ts and the integration tests share it. */
export async function createIngestApp(options: IngestModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create(IngestModule.register(options), {
    // Bodies are read by the handlers themselves, after authentication, with our own size limits.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders());
  app.use(app.get(IngestMetrics).middleware());
  app.useGlobalFilters(new JsonErrorFilter(ingestErrors(options.config.publish.retryAfterSeconds)));
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
