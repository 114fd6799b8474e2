import type { z } from 'zod';
import { InvalidMetricUpdateError, type MetricKind, type MetricUpdate, parseMetricUpdate } from '../updates';
import { agentCountsRowSchema } from './agent-counts';
import { agentStatusRowSchema } from './agent-status';
import { alertRowSchema } from './alert';
import { meterEnergy15mRowSchema } from './meter-energy-15m';
import { queueGaugeRowSchema } from './queue-gauge';
import { queueStats1mRowSchema } from './queue-stats-1m';

export * from './agent-counts';
export * from './agent-status';
export * from './alert';
export * from './meter-energy-15m';
export * from './queue-gauge';
export * from './queue-stats-1m';

/**
 * The row contract of each kind on `metrics.updates` (and `alerts`): one schema a kind, in the folder beside
 * this file, with the typed constructor every producer uses. Readers parse with `parseUpdateRow`.
 */
export const UPDATE_ROW_SCHEMAS = {
  queue_stats_1m: queueStats1mRowSchema,
  meter_energy_15m: meterEnergy15mRowSchema,
  agent_status: agentStatusRowSchema,
  queue_gauge: queueGaugeRowSchema,
  agent_counts: agentCountsRowSchema,
  alert: alertRowSchema,
} as const satisfies Record<MetricKind, z.ZodType>;

export type UpdateRowOf<K extends MetricKind> = z.infer<(typeof UPDATE_ROW_SCHEMAS)[K]>;

/** An update whose row was checked against its kind's contract: `switch (u.kind)` narrows `u.row`. */
export type TypedMetricUpdate<K extends MetricKind = MetricKind> = {
  [P in K]: MetricUpdate<UpdateRowOf<P>> & { kind: P };
}[K];

/**
 * Checks an update's row against its kind's contract (unknown fields are dropped) and that the row belongs to
 * the update's tenant. Throws InvalidMetricUpdateError naming the fields (`row.answered: …`).
 */
export function parseUpdateRow(u: MetricUpdate): TypedMetricUpdate {
  const parsed = UPDATE_ROW_SCHEMAS[u.kind].safeParse(u.row);
  if (!parsed.success) {
    throw new InvalidMetricUpdateError(
      parsed.error.issues.map((i) => `row.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  if (parsed.data.tenant !== u.tenant) {
    throw new InvalidMetricUpdateError(`row.tenant: ${parsed.data.tenant} is not the update's tenant ${u.tenant}`);
  }
  return { ...u, row: parsed.data } as TypedMetricUpdate;
}

/** Reads one message value into a typed update (envelope, then row). Throws InvalidMetricUpdateError. */
export function parseTypedMetricUpdate(value: Buffer | string | null): TypedMetricUpdate {
  return parseUpdateRow(parseMetricUpdate(value));
}
