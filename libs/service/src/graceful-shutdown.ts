import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { SERVICE_STATUS, type ServiceStatusReporter } from './service-status';

/** Nest token of the app's `ShutdownState`. */
export const SHUTDOWN_STATE = Symbol('ShutdownState');

/** Set when shutdown begins, so readiness fails while in-flight requests finish. */
export interface ShutdownState {
  shuttingDown: boolean;
}

/**
 * Nest token of what the app closes once the HTTP server has closed (its producer, its pool): a list of
 * functions, run together; one that fails does not keep the others from closing.
 */
export const CLOSE_ON_SHUTDOWN = Symbol('CloseOnShutdown');
export type CloseOnShutdown = ReadonlyArray<() => Promise<unknown>>;

/**
 * Shutdown order: readiness turns false first; Nest then closes the HTTP server, which waits for the in-flight
 * requests (and whatever they wait for, such as Kafka acks); only after that is `CLOSE_ON_SHUTDOWN` run. The
 * status goes Stopping first and Stopped last.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Lifecycle');

  constructor(
    @Inject(SHUTDOWN_STATE) private readonly state: ShutdownState,
    @Inject(CLOSE_ON_SHUTDOWN) private readonly closers: CloseOnShutdown,
    @Inject(SERVICE_STATUS) private readonly status: ServiceStatusReporter | null,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.state.shuttingDown = true;
    this.status?.stopping(signal);
    this.log.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closers.map(async (close) => close()));
    await this.status?.stopped();
  }
}

/**
 * `SERVICE_STATUS` (null without a reporter), `SHUTDOWN_STATE` and `GracefulShutdown`: with the app's own
 * `CLOSE_ON_SHUTDOWN` and `READINESS_CHECKS`, what `HealthController` and a clean SIGTERM need.
 */
export function gracefulShutdownProviders(status: ServiceStatusReporter | undefined): Provider[] {
  return [
    { provide: SERVICE_STATUS, useValue: status ?? null },
    { provide: SHUTDOWN_STATE, useValue: { shuttingDown: false } satisfies ShutdownState },
    GracefulShutdown,
  ];
}
