import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SHUTDOWN_STATE, type ShutdownState } from './graceful-shutdown';
import { READINESS_CHECKS, type ReadinessCheck, readinessProbe } from './readiness';

/** Liveness: the process is up and its event loop answers. */
@Controller('health')
export class LivenessController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/**
 * Liveness, and readiness: this instance should get traffic — it is not shutting down (`SHUTDOWN_STATE`) and
 * every dependency of `READINESS_CHECKS` answers. Needs `TerminusModule` imported.
 */
@ApiTags('health')
@Controller('health')
export class HealthController extends LivenessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(SHUTDOWN_STATE) private readonly shutdown: ShutdownState,
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
  ) {
    super();
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        readinessProbe(this.indicators, 'instance', async () => {
          if (this.shutdown.shuttingDown) throw new Error('shutting down');
        }),
      ...this.checks.map(
        ({ key, check }) =>
          () =>
            readinessProbe(this.indicators, key, check),
      ),
    ]);
  }
}
