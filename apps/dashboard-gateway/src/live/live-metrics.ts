import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveService } from './live.service';

/**
 * The live delivery on the gateway's `/metrics`, read from the live service when Prometheus scrapes (nothing is
 * counted twice on the delivery path): connected clients, channels held, frames sent by type, feed messages skipped
 * as undecodable, and whether the live feed runs.
 */
export function registerLiveMetrics(registry: Registry, live: LiveService, prefix = 'dashboard_gateway'): void {
  new Gauge({
    name: `${prefix}_live_clients`,
    help: 'Sockets connected to the live API',
    registers: [registry],
    collect() {
      this.set(live.server.clientCount);
    },
  });
  new Gauge({
    name: `${prefix}_live_channels`,
    help: 'Channels the gateway holds (per tenant and channel name)',
    registers: [registry],
    collect() {
      this.set(live.state.channelCount);
    },
  });
  new Gauge({
    name: `${prefix}_live_feed_running`,
    help: '1 once the live feed (Kafka + Postgres fill) runs, 0 while it is (re)starting',
    registers: [registry],
    async collect() {
      this.set(
        await live.ready().then(
          () => 1,
          () => 0,
        ),
      );
    },
  });
  new Counter({
    name: `${prefix}_live_frames_sent_total`,
    help: 'Frames sent to live clients, by type (a delta frame carries every row changed since the last one)',
    labelNames: ['type'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ type: 'snapshot' }, live.server.sent.snapshot);
      this.inc({ type: 'delta' }, live.server.sent.delta);
    },
  });
  new Counter({
    name: `${prefix}_live_feed_failures_total`,
    help: 'Times the running live feed stopped by itself (its Kafka client gave up) and was started again',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live.feedFailures);
    },
  });
  new Counter({
    name: `${prefix}_live_feed_skipped_total`,
    help: 'Messages of metrics.updates, alerts and service.status skipped as undecodable',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live.feed.skipped);
    },
  });
}
