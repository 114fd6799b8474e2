import { Controller, Get, Inject, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type DashboardClaims, type EffectiveAlertSetting, effectiveAlertSettings } from '@switchboard/domain';
import { PG_POOL } from '@switchboard/service';
import type { Pool } from 'pg';
import { Claims } from '../auth/claims';
import { DashboardAuthGuard } from '../auth/dashboard-auth.guard';
import { ENDPOINT_ROLES, Roles } from '../auth/roles';
import { TokenThrottlerGuard } from '../auth/token-throttler.guard';
import { allowedQuery } from '../http/request-limits';
import { DATA_QUALITY_MAX_DAYS, DATA_QUALITY_MAX_ROWS, parseDataQualityQuery } from './data-quality-query';

export interface DataQualityEvent {
  kind: string;
  /** The refused item's own time, when it had one. */
  eventTs: string | null;
  recordedAt: string;
  detail: Record<string, unknown>;
}

/**
 * What the wallboard and the energy page read beside their live channels: the tenant's alert thresholds (tiles turn
 * amber and red by them) and a meter's data-quality events (the drill-down). Same guards, limits and error bodies
 * as every other read; the tenant comes from the token only.
 */
@ApiTags('dashboards')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(DashboardAuthGuard, TokenThrottlerGuard)
export class DashboardReadsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('alerts/thresholds')
  @Roles(ENDPOINT_ROLES.alertThresholds)
  @ApiOperation({
    summary: "The tenant's alert thresholds (roles supervisor, analyst)",
    description:
      'Every alert rule with the threshold that applies to the tenant (its own setting, or the default), its unit ' +
      'and whether it is enabled: what the aggregator judges by, and what the dashboards colour by.',
  })
  @ApiOkResponse({ description: '{rules: [{rule, threshold, unit, enabled, source}]}' })
  async thresholds(
    @Claims() claims: DashboardClaims,
    @Query() query: Record<string, unknown>,
  ): Promise<{ rules: EffectiveAlertSetting[] }> {
    allowedQuery(query, []);
    const { rows } = await this.pool.query<{ rule: string; threshold: number; enabled: boolean }>(
      'SELECT rule, threshold, enabled FROM alert_settings WHERE tenant = $1',
      [claims.tenant],
    );
    return { rules: effectiveAlertSettings(rows) };
  }

  @Get('meters/:meterId/data-quality')
  @Roles(ENDPOINT_ROLES.meterDataQuality)
  @ApiOperation({
    summary: "A meter's data-quality events (role analyst)",
    description:
      `What the aggregator refused or could not count for the meter (late, invalid readings…), recorded in [from, to) ` +
      `(at most ${DATA_QUALITY_MAX_DAYS} days), newest first, at most ${DATA_QUALITY_MAX_ROWS}. A meter of another ` +
      'tenant, or none, has no events.',
  })
  @ApiParam({ name: 'meterId', example: 'm-1' })
  @ApiQuery({ name: 'from', example: '2026-10-25T00:00:00Z', description: 'epoch ms or RFC 3339, inclusive' })
  @ApiQuery({ name: 'to', example: '2026-10-26T00:00:00Z', description: 'epoch ms or RFC 3339, exclusive' })
  @ApiOkResponse({ description: '{meterId, from, to, events: [{kind, eventTs, recordedAt, detail}]}' })
  async dataQuality(
    @Claims() claims: DashboardClaims,
    @Param('meterId') meterId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ meterId: string; from: string; to: string; events: DataQualityEvent[] }> {
    const q = allowedQuery(query, ['from', 'to']);
    const parsed = parseDataQualityQuery({ tenant: claims.tenant, meterId, from: q.from, to: q.to });
    const { rows } = await this.pool.query<{
      kind: string;
      event_ts: Date | null;
      recorded_at: Date;
      detail: Record<string, unknown>;
    }>(
      `SELECT kind, event_ts, recorded_at, detail FROM data_quality_events
       WHERE tenant = $1 AND entity_type = 'meter' AND entity_id = $2 AND recorded_at >= $3 AND recorded_at < $4
       ORDER BY recorded_at DESC, event_id DESC LIMIT $5`,
      [parsed.tenant, parsed.meterId, new Date(parsed.from), new Date(parsed.to), DATA_QUALITY_MAX_ROWS],
    );
    return {
      meterId: parsed.meterId,
      from: new Date(parsed.from).toISOString(),
      to: new Date(parsed.to).toISOString(),
      events: rows.map((r) => ({
        kind: r.kind,
        eventTs: r.event_ts?.toISOString() ?? null,
        recordedAt: r.recorded_at.toISOString(),
        detail: r.detail,
      })),
    };
  }
}
