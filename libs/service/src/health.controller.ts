import { Controller, Get } from '@nestjs/common';

/** Liveness: the process is up and its event loop answers. Readiness checks arrive with each app's deps. */
@Controller('health')
export class LivenessController {
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
