import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IngestMetrics } from './ingest-metrics';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(IngestMetrics) private readonly metrics: IngestMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
