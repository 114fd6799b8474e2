import { HttpMetrics } from '@switchboard/service';
import { Counter, Histogram } from 'prom-client';

/** Ingest's Prometheus metrics: the shared HTTP ones (`ingest_http_*`) plus what it accepts and publishes. */
export class IngestMetrics extends HttpMetrics {
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

  readonly publishSeconds = new Histogram({
    name: 'ingest_publish_duration_seconds',
    help: 'Time from handing a batch to the producer until Kafka acknowledged it',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    super({ prefix: 'ingest', latencyBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
  }
}
