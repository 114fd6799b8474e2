import { Controller, Inject, Param, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ID_PATTERN, meterPropertiesSchema, queuePropertiesSchema } from '@switchboard/domain';
import type { HttpRequest } from '@switchboard/service';
import type { z } from 'zod';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Tenant } from '../auth/tenant';
import { TenantThrottlerGuard } from '../auth/tenant-throttler.guard';
import { readBody } from '../events/body';
import { ApiError } from '../http/api-error';
import { EVENT_PUBLISHER, type EventPublisher } from '../publishing/event-publisher';

const MAX_PROPERTIES_BYTES = 64 * 1024;

async function readJson<S extends z.ZodType>(req: HttpRequest, schema: S): Promise<z.output<S>> {
  const text = (await readBody(req, MAX_PROPERTIES_BYTES)).toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw ApiError.badRequest('body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw ApiError.badRequest('body must be a JSON object');
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw ApiError.badRequest(
      parsed.error.issues.map((i) => `${i.path.map(String).join('.')} ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

function checkId(what: string, id: string): void {
  if (!ID_PATTERN.test(id)) throw ApiError.badRequest(`${what} must be 1–64 characters of A-Z a-z 0-9 . _ : -`);
}

/** PUTs replace an entity's stream properties; the aggregator and dashboards read them from the stream. */
@ApiTags('properties')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ApiKeyGuard, TenantThrottlerGuard)
export class PropertiesController {
  constructor(@Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher) {}

  @Put('meters/:meterId')
  @ApiOperation({ summary: "Set a meter's properties (name, site, timezone); absent fields are cleared" })
  @ApiParam({ name: 'meterId' })
  @ApiBody({ schema: { $ref: '#/components/schemas/MeterProperties' } })
  async putMeter(@Req() req: HttpRequest, @Tenant() tenant: string, @Param('meterId') meterId: string) {
    checkId('meterId', meterId);
    const props = await readJson(req, meterPropertiesSchema);
    await this.publisher.setMeterProperties(tenant, meterId, props);
    return { meterId, ...props };
  }

  @Put('queues/:queue')
  @ApiOperation({ summary: "Set a queue's properties (name, slaSeconds); absent fields are cleared" })
  @ApiParam({ name: 'queue' })
  @ApiBody({ schema: { $ref: '#/components/schemas/QueueProperties' } })
  async putQueue(@Req() req: HttpRequest, @Tenant() tenant: string, @Param('queue') queue: string) {
    checkId('queue', queue);
    const props = await readJson(req, queuePropertiesSchema);
    await this.publisher.setQueueProperties(tenant, queue, props);
    return { queue, ...props };
  }
}
