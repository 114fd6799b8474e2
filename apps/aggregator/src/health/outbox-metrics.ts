import type { OutboxRelay, OutboxTableSize } from '@switchboard/streams';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The outbox in /metrics: rows waiting to be published (grows while Kafka is away), the table's bytes (bounded by
 * the relay's pruning of sent rows) and the rows this instance pruned. Read at each scrape; a database that does not
 * answer leaves the gauges out of that scrape instead of failing it.
 */
export function registerOutboxMetrics(registry: Registry, relay: () => OutboxRelay | undefined): void {
  const gauge = (name: string, help: string, value: (size: OutboxTableSize) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const size = await relay()
          ?.tableSize()
          .catch(() => undefined);
        if (size) this.set(value(size));
      },
    });
  gauge('switchboard_outbox_unsent_rows', 'Outbox rows committed but not yet published to Kafka', (s) => s.unsent);
  gauge(
    'switchboard_outbox_table_bytes',
    'Size of the outbox table on disk (sent rows are pruned after the retention)',
    (s) => s.bytes,
  );
  new Counter({
    name: 'switchboard_outbox_pruned_rows_total',
    help: 'Sent outbox rows this instance deleted after the retention',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(relay()?.pruned ?? 0);
    },
  });
}
