import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { DashboardClaims } from '@switchboard/domain';
import { PG_POOL } from '@switchboard/service';
import type { Pool } from 'pg';
import { Claims } from '../auth/claims';
import { DashboardAuthGuard } from '../auth/dashboard-auth.guard';
import { ENDPOINT_ROLES, Roles } from '../auth/roles';
import { TokenThrottlerGuard } from '../auth/token-throttler.guard';
import { allowedQuery } from '../http/request-limits';
import { parseQueueStatsQuery } from './queue-stats-query';
import { type QueueStatsResult, queueStats } from './queue-stats-repository';

@ApiTags('queues')
@ApiBearerAuth()
@Controller('v1/queues')
@UseGuards(DashboardAuthGuard, TokenThrottlerGuard)
export class QueueStatsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get(':queue/stats')
  @Roles(ENDPOINT_ROLES.queueStats)
  @ApiOperation({
    summary: "A queue's 1-minute statistics (roles supervisor, analyst)",
    description:
      'Every column of queue_stats_1m for windows starting in [from, to) (whole minutes, at most 7 days), each row ' +
      'with ASA, average call duration, service level and abandon rate derived from its sums, and a total over ' +
      'the range derived from the summed columns. A queue of another tenant, or none, has no rows.',
  })
  @ApiParam({ name: 'queue', example: 'sales' })
  @ApiQuery({ name: 'from', example: '2026-10-25T08:00:00Z', description: 'epoch ms or RFC 3339, inclusive' })
  @ApiQuery({ name: 'to', example: '2026-10-25T09:00:00Z', description: 'epoch ms or RFC 3339, exclusive' })
  @ApiOkResponse({ description: '{queue, from, to, rows, total}' })
  stats(
    @Claims() claims: DashboardClaims,
    @Param('queue') queue: string,
    @Query() query: Record<string, unknown>,
  ): Promise<QueueStatsResult> {
    const q = allowedQuery(query, ['from', 'to']);
    return queueStats(this.pool, parseQueueStatsQuery({ tenant: claims.tenant, queue, from: q.from, to: q.to }));
  }
}
