import { Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '@switchboard/service';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../auth/tenant';
import { TenantThrottlerGuard } from '../auth/tenant-throttler.guard';
import type { IngestConfig } from '../config';
import { INGEST_CONFIG, INGEST_SERVICE } from '../injection';
import { parseBatch, readBody } from './body';
import type { IngestResult, IngestService } from './ingest.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    @Inject(INGEST_SERVICE) private readonly ingest: IngestService,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  @Post()
  @HttpCode(202)
  // Auth first (the throttler tracks by the tenant it finds), then the rate limit; the body is read after both.
  @UseGuards(ApiKeyGuard, TenantThrottlerGuard)
  @ApiOperation({ summary: 'Send events (JSON array or NDJSON); 202 once Kafka acknowledged the valid ones' })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'array', items: { $ref: '#/components/schemas/Event' }, maxItems: 10_000 } })
  @ApiResponse({ status: 202, schema: { $ref: '#/components/schemas/IngestResult' } })
  @ApiResponse({
    status: 400,
    description: 'body not parseable at all',
    schema: { $ref: '#/components/schemas/Error' },
  })
  @ApiResponse({ status: 401, description: 'no, bad or revoked key', schema: { $ref: '#/components/schemas/Error' } })
  @ApiResponse({
    status: 413,
    description: 'over 5 MiB or 10,000 events',
    schema: { $ref: '#/components/schemas/Error' },
  })
  @ApiResponse({
    status: 429,
    description: "over the tenant's rate; see Retry-After",
    schema: { $ref: '#/components/schemas/Error' },
  })
  @ApiResponse({
    status: 503,
    description: 'Kafka unavailable; nothing accepted; see Retry-After',
    schema: { $ref: '#/components/schemas/Error' },
  })
  async post(@Req() req: HttpRequest, @Tenant() tenant: string): Promise<IngestResult> {
    const body = await readBody(req, this.config.limits.maxBodyBytes);
    const items = parseBatch(body, req.headers['content-type'], this.config.limits.maxEvents);
    return this.ingest.ingest(tenant, items);
  }
}
