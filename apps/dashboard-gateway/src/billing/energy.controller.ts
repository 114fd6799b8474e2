import { applyDecorators, Controller, Get, Header, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type EnergyRow, energyCsv, energyIntervals, mwhToWh, parseEnergyQuery } from '@switchboard/billing';
import type { DashboardClaims } from '@switchboard/domain';
import { PG_POOL } from '@switchboard/service';
import type { Pool } from 'pg';
import { Claims } from '../auth/claims';
import { DashboardAuthGuard } from '../auth/dashboard-auth.guard';
import { ENDPOINT_ROLES, Roles } from '../auth/roles';
import { TokenThrottlerGuard } from '../auth/token-throttler.guard';
import type { GatewayConfig } from '../config';
import { ApiError } from '../http/api-error';
import type { HttpResponse } from '../http/http-types';
import { allowedQuery } from '../http/request-limits';
import { GATEWAY_CONFIG } from '../injection';

const ENERGY_PARAMS = ['from', 'to', 'interval'] as const;

export interface MeterEnergyResult {
  meterId: string;
  interval: string;
  from: string;
  to: string;
  /** Energy exactly: `energyMwh` integer digits, `energyWh` with three decimals; never a float. */
  rows: Array<Omit<EnergyRow, 'meterId'> & { energyWh: string }>;
}

const RangeQuery = () =>
  applyDecorators(
    ApiQuery({ name: 'from', example: '2026-10-01T00:00:00+01:00', description: 'epoch ms or RFC 3339, inclusive' }),
    ApiQuery({ name: 'to', example: '2026-11-01T00:00:00Z', description: 'epoch ms or RFC 3339, exclusive' }),
    ApiQuery({ name: 'interval', enum: ['15m', '1h', '1d'], required: false, description: 'default 1d' }),
  );

/** Billing reads through libs/billing: the same validation, SQL and CSV as `switchboard billing export`. */
@ApiTags('billing')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(DashboardAuthGuard, TokenThrottlerGuard)
export class EnergyController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('meters/:meterId/energy')
  @Roles(ENDPOINT_ROLES.meterEnergy)
  @ApiOperation({
    summary: "A meter's exact interval energy (role analyst)",
    description:
      'Intervals whose start lies in [from, to): 15m (whole quarter hours, ≤ 32 days), 1h (whole hours, ≤ 93 days) ' +
      "or 1d (the meter's local days, ≤ 367 days). A meter of another tenant, or none, has no rows.",
  })
  @ApiParam({ name: 'meterId', example: 'm-1' })
  @RangeQuery()
  @ApiOkResponse({ description: '{meterId, interval, from, to, rows}' })
  async meterEnergy(
    @Claims() claims: DashboardClaims,
    @Param('meterId') meterId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<MeterEnergyResult> {
    const q = allowedQuery(query, ENERGY_PARAMS);
    const parsed = parseEnergyQuery({ tenant: claims.tenant, meterId, from: q.from, to: q.to, interval: q.interval });
    const rows = await energyIntervals(this.pool, parsed);
    return {
      meterId,
      interval: parsed.interval,
      from: new Date(parsed.from).toISOString(),
      to: new Date(parsed.to).toISOString(),
      rows: rows.map(({ meterId: _, ...r }) => ({ ...r, energyWh: mwhToWh(r.energyMwh) })),
    };
  }

  @Get('billing/energy.csv')
  @Roles(ENDPOINT_ROLES.billingCsv)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Every meter's exact interval energy of the tenant as CSV (role analyst)",
    description:
      'RFC 4180 with a header row: meter_id,interval_start,interval_end,timezone,energy_wh,energy_mwh,readings,' +
      'max_power_w,resets,complete,revision. Same ranges as the meter endpoint; an export larger than the configured row ' +
      'limit is refused with 413 (split the range).',
  })
  @RangeQuery()
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv attachment' })
  async billingCsv(
    @Claims() claims: DashboardClaims,
    @Query() query: Record<string, unknown>,
    @Res() res: HttpResponse,
  ): Promise<void> {
    const q = allowedQuery(query, ENERGY_PARAMS);
    const parsed = parseEnergyQuery({ tenant: claims.tenant, from: q.from, to: q.to, interval: q.interval });
    const rows = await energyIntervals(this.pool, parsed);
    if (rows.length > this.config.maxCsvRows) {
      throw new ApiError(
        413,
        'response_too_large',
        `this export has ${rows.length} rows, more than the ${this.config.maxCsvRows} one response carries; split the range or use a coarser interval`,
      );
    }
    const name = `energy-${claims.tenant.replace(/[^A-Za-z0-9._-]/g, '_')}-${parsed.interval}-${stamp(parsed.from)}-${stamp(parsed.to)}.csv`;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.status(200).end(energyCsv(rows));
  }
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}
