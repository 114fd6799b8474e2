import { z } from 'zod';

/**
 * The update events on `metrics.updates`: every committed row change of the aggregator, published through
 * the outbox after its transaction. The gateway and the alert rules read them; consumers keep the highest
 * `version` per `id` and drop anything older (delivery is at least once). The `alerts` topic carries the
 * `alerts` table's row changes in the same envelope (kind `alert`).
 *
 * Kafka message: key = `id`, value = JSON of `MetricUpdate`, header `sb-model: metric-update`. The partition is
 * murmur2 of the header `sb-partition-key` = `updateEntityKey(update)`: every row of one queue or meter (its
 * windows and its gauge) lands in one partition, in order, so per-entity consumers (the alert rules) need no
 * repartition; one row's updates stay in order because a row belongs to one entity.
 */
export const UpdateTopics = {
  updates: 'metrics.updates',
  alerts: 'alerts',
} as const;

export const METRIC_KINDS = [
  'queue_stats_1m',
  'meter_energy_15m',
  'agent_status',
  'queue_gauge',
  'agent_counts',
  'alert',
] as const;

export type MetricKind = (typeof METRIC_KINDS)[number];

export interface MetricUpdate<Row = Record<string, unknown>> {
  /** The row's identity, unique across kinds: `<tenant>/<kind>/<row key…>` (see updateId). */
  id: string;
  kind: MetricKind;
  tenant: string;
  /** Grows by one at every change of the row (the `version` column for table rows). */
  version: number;
  /** The row as the table holds it (column names as in Postgres), or the gauge's value. */
  row: Row;
  /**
   * True when this change rewrites a window that was already final (a late event restated it: the row's
   * `revision` grew). Absent or false for every other change. Alert rules re-judge, billing re-reads.
   */
  restatement?: boolean;
}

export const METRIC_UPDATE_MODEL = 'metric-update';

/** The id of a row: tenant, kind and the row's key parts, joined by '/' (none of them can contain '/'). */
export function updateId(tenant: string, kind: MetricKind, ...key: (string | number)[]): string {
  return [tenant, kind, ...key.map(String)].join('/');
}

/**
 * The entity whose partition an update goes to: `<tenant>/queue/<queue>` for a queue's windows and gauge,
 * `<tenant>/meter/<meterId>` for a meter's windows, `<tenant>/agents` for agent rows and counts, the update id
 * otherwise (alerts).
 */
export function updateEntityKey(update: MetricUpdate): string {
  const row = update.row;
  switch (update.kind) {
    case 'queue_stats_1m':
    case 'queue_gauge':
      return `${update.tenant}/queue/${String(row.queue)}`;
    case 'meter_energy_15m':
      return `${update.tenant}/meter/${String(row.meter_id)}`;
    case 'agent_status':
    case 'agent_counts':
      return `${update.tenant}/agents`;
    default:
      return update.id;
  }
}

const MAX_UPDATE_BYTES = 64 * 1024;

const updateSchema = z.object({
  id: z.string().min(1).max(512),
  kind: z.enum(METRIC_KINDS),
  tenant: z.string().min(1).max(64),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  row: z.record(z.string(), z.unknown()),
  restatement: z.boolean().optional(),
});

export class InvalidMetricUpdateError extends Error {
  constructor(readonly reason: string) {
    super(`not a metric update: ${reason}`);
    this.name = 'InvalidMetricUpdateError';
  }
}

/** Reads one update message value; throws InvalidMetricUpdateError (with the reason) for anything else. */
export function parseMetricUpdate(value: Buffer | string | null): MetricUpdate {
  if (value === null) throw new InvalidMetricUpdateError('the message has no value');
  if (value.length > MAX_UPDATE_BYTES) throw new InvalidMetricUpdateError(`value over ${MAX_UPDATE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (err) {
    throw new InvalidMetricUpdateError(`value is not JSON (${(err as Error).message})`);
  }
  const parsed = updateSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidMetricUpdateError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
