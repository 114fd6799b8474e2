import type { IncomingMessage } from 'node:http';
import type { DynamicModule, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { requestLogLevel } from './request-log-level';

export interface HttpServiceImportsOptions {
  logLevel: string;
  /** The `default` throttler: at most `limit` requests per `windowMs` (the app's guard decides per what). */
  rateLimit: { windowMs: number; limit: number };
  /** The tenant a request's log line names, as the app's authentication set it on the request. */
  tenantOf: (req: IncomingMessage) => string | undefined;
}

/**
 * The modules every Switchboard HTTP service imports: Terminus (readiness), the throttler, and request logs
 * (pino) that never carry credentials (Authorization, Cookie) and leave out the probes' and scrapes' noise (successful
 * requests at debug: `requestLogLevel`).
 */
export function httpServiceImports({
  logLevel,
  rateLimit,
  tenantOf,
}: HttpServiceImportsOptions): Array<Type<unknown> | DynamicModule> {
  return [
    TerminusModule,
    ThrottlerModule.forRoot([{ name: 'default', ttl: rateLimit.windowMs, limit: rateLimit.limit }]),
    LoggerModule.forRoot({
      pinoHttp: {
        level: logLevel,
        redact: ['req.headers.authorization', 'req.headers.cookie'],
        customProps: (req) => ({ tenant: tenantOf(req) }),
        customLogLevel: requestLogLevel,
        autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
      },
    }),
  ];
}
