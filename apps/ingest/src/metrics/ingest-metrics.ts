import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Ingest's Prometheus metrics, on a registry of its own (no global state shared between app instances). */
export class IngestMetrics {
  readonly registry = new Registry();

  readonly eventsAccepted = new Counter({
    name: 'ingest_events_accepted_total',
    help: 'Events acknowledged by Kafka and answered 202',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly eventsRejected = new Counter({
    name: 'ingest_events_rejected_total',
    help: 'Invalid events reported in the 202 body',
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'ingest_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestSeconds = new Histogram({
    name: 'ingest_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly publishSeconds = new Histogram({
    name: 'ingest_publish_duration_seconds',
    help: 'Time from handing a batch to the producer until Kafka acknowledged it',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
