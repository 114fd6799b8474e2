import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { HttpRequest, HttpResponse } from '../http/http-types';

/** The gateway's Prometheus metrics, on a registry of its own (no global state shared between app instances). */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'dashboard_gateway_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestSeconds = new Histogram({
    name: 'dashboard_gateway_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
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
