import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { HttpRequest, HttpResponse } from './http-types';

export interface HttpMetricsOptions {
  /** `ingest` gives `ingest_http_requests_total` and `ingest_http_request_duration_seconds`. */
  prefix: string;
  /** Upper bounds of the request latency histogram, in seconds. */
  latencyBuckets: number[];
}

/**
 * A service's Prometheus metrics, on a registry of its own (no global state shared between app instances):
 * the process defaults and requests by route and status. An app adds its own metrics to `registry`, e.g. as a
 * subclass, and provides the instance as `HttpMetrics` for `MetricsController`.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly requestSeconds: Histogram<'route'>;

  constructor({ prefix, latencyBuckets }: HttpMetricsOptions) {
    this.requests = new Counter({
      name: `${prefix}_http_requests_total`,
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [this.registry],
    });
    this.requestSeconds = new Histogram({
      name: `${prefix}_http_request_duration_seconds`,
      help: 'HTTP request latency',
      labelNames: ['route'] as const,
      buckets: latencyBuckets,
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Middleware: counts and times every request by its route pattern (never its raw path: bounded labels). */
  middleware() {
    return (req: HttpRequest, res: HttpResponse, next: () => void): void => {
      const stop = this.requestSeconds.startTimer();
      res.on('finish', () => {
        const route = req.route?.path ?? 'unmatched';
        stop({ route });
        this.requests.inc({ route, status: String(res.statusCode) });
      });
      next();
    };
  }
}

/** `GET /metrics` in Prometheus' text format, from the app's `HttpMetrics`. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(HttpMetrics) private readonly metrics: HttpMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
