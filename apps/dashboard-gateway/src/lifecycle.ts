import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_STATUS, type ServiceStatusReporter } from '@switchboard/service';
import type { Pool } from 'pg';
import { PG_POOL, SHUTDOWN_STATE, type ShutdownState } from './tokens';

/**
 * Shutdown order: readiness turns false first; Nest then closes the HTTP server, which waits for in-flight
 * requests; only after that is the pool closed. The status goes Stopping first and Stopped last.
 */
@Injectable()
export class Lifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Lifecycle');

  constructor(
    @Inject(SHUTDOWN_STATE) private readonly state: ShutdownState,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_STATUS) private readonly status: ServiceStatusReporter | null,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.state.shuttingDown = true;
    this.status?.stopping(signal);
    this.log.log(`shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => {});
    await this.status?.stopped();
  }
}
