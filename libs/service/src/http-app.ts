import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface HttpServiceOptions {
  name: string;
  module: Type<unknown>;
  port: number;
  host?: string;
}

/** Starts a Nest HTTP service with graceful shutdown (SIGTERM finishes in-flight requests, then exits). */
export async function startHttpService(opts: HttpServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create(opts.module, { bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(opts.port, opts.host ?? '127.0.0.1');
  new Logger(opts.name).log(`listening on http://${opts.host ?? '127.0.0.1'}:${opts.port}`);
  return app;
}
