import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { bounded } from '@switchboard/service';
import type { Pool } from 'pg';
import { EVENT_PUBLISHER, type EventPublisher } from '../publishing/event-publisher';
import { PG_POOL, SHUTDOWN_STATE, type ShutdownState } from '../tokens';

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(SHUTDOWN_STATE) private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready = this instance should get traffic: Postgres and Kafka answer, and it is not shutting down. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.probe('instance', async () => {
          if (this.shutdown.shuttingDown) throw new Error('shutting down');
        }),
      () => this.probe('postgres', () => bounded(this.pool.query('SELECT 1'), 'Postgres', CHECK_TIMEOUT_MS)),
      () => this.probe('kafka', () => bounded(this.publisher.checkReady(), 'Kafka', CHECK_TIMEOUT_MS)),
    ]);
  }

  private async probe(key: string, check: () => Promise<unknown>) {
    const session = this.indicators.check(key);
    try {
      await check();
      return session.up();
    } catch (err) {
      return session.down({ message: (err as Error).message });
    }
  }
}
