/**
 * The update events on `metrics.updates`: every committed row change of the aggregator, published through
 * the outbox after its transaction. The gateway and the alert rules read them; consumers keep the highest
 * `version` per `id` and drop anything older (delivery is at least once).
 *
 * Kafka message: key = `id` (so one row's updates stay in order in one partition), value = JSON of
 * `MetricUpdate`, header `sb-model: metric-update`.
 */
export const UpdateTopics = {
  updates: 'metrics.updates',
  alerts: 'alerts',
} as const;

export type MetricKind = 'queue_stats_1m' | 'meter_energy_15m' | 'agent_status' | 'queue_gauge' | 'agent_counts';

export interface MetricUpdate<Row = Record<string, unknown>> {
  /** The row's identity, unique across kinds: `<tenant>/<kind>/<row key…>` (see updateId). */
  id: string;
  kind: MetricKind;
  tenant: string;
  /** Grows by one at every change of the row (the `version` column for table rows). */
  version: number;
  /** The row as the table holds it (column names as in Postgres), or the gauge's value. */
  row: Row;
}

export const METRIC_UPDATE_MODEL = 'metric-update';

/** The id of a row: tenant, kind and the row's key parts, joined by '/' (none of them can contain '/'). */
export function updateId(tenant: string, kind: MetricKind, ...key: (string | number)[]): string {
  return [tenant, kind, ...key.map(String)].join('/');
}
