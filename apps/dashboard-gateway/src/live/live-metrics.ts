import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveService } from './live.service';

/**
 * The live delivery on the gateway's `/metrics`, read from the live service when Prometheus scrapes (nothing is
 * counted twice on the delivery path): connected clients, channels held, frames sent by type, feed messages skipped
 * as undecodable, whether the live feed runs and how often it failed, and the live bounds (rows of the tenants'
 * `queues` channels and what left them, meter channels, tenants at a limit, refusals). No figure has a tenant label
 * (the number of tenants is not Prometheus's to bear); the log line of a bound met names the tenant.
 */
export function registerLiveMetrics(registry: Registry, live: LiveService, prefix = 'dashboard_gateway'): void {
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name: `${prefix}_${name}`,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name: `${prefix}_${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const bounds = () => live.state.boundFigures();

  gauge('live_clients', 'Sockets connected to the live API', () => live.server.clientCount);
  gauge('live_channels', 'Channels the gateway holds (per tenant and channel name)', () => live.state.channelCount);
  gauge('live_feed_running', '1 once the live feed (Kafka + Postgres fill) runs, 0 while it is (re)starting', () =>
    live.ready().then(
      () => 1,
      () => 0,
    ),
  );
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
  counter(
    'live_feed_skipped_total',
    'Messages of metrics.updates, alerts and service.status skipped as undecodable',
    () => live.feed.skipped,
  );
  counter(
    'live_feed_failures_total',
    'Times the running live feed stopped by itself (its Kafka client gave up) and was started again',
    () => live.feedFailures,
  );

  gauge(
    'live_queue_rows',
    "Rows held in the tenants' queues channels (windows, gauges, agents)",
    () => bounds().queueRows,
  );
  gauge(
    'live_queue_tenants_at_limit',
    'Tenants whose queues channel holds maxQueueRowsPerTenant rows (new rows push out their least recently changed)',
    () => bounds().queueTenantsAtLimit,
  );
  new Counter({
    name: `${prefix}_live_queue_rows_evicted_total`,
    help: "Rows that left a tenant's queues channel: idle (unchanged for queueIdleMs) or limit (room for a new row)",
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'idle' }, live.state.bounded.queueRowsIdle);
      this.inc({ reason: 'limit' }, live.state.bounded.queueRowsLimit);
    },
  });
  counter(
    'live_rows_refused_total',
    'New rows refused by a full channel other than queues (maxRowsPerChannel)',
    () => live.state.bounded.rowsRefused,
  );
  gauge('live_meter_channels', 'Meter and energy channels held, all tenants', () => bounds().meterChannels);
  gauge(
    'live_meter_tenants_at_limit',
    'Tenants holding maxMeterChannelsPerTenant meter and energy channels',
    () => bounds().meterTenantsAtLimit,
  );
  counter(
    'live_meter_channels_refused_total',
    'Subscriptions refused because their tenant held its limit of meter and energy channels, none idle',
    () => live.state.bounded.meterChannelsRefused,
  );
}
