import {
  type AgentCountsUpdate,
  type AgentStatusUpdate,
  type AgentStatusValue,
  type AlertUpdate,
  agentCountsUpdate,
  agentStatusUpdate,
  alertUpdate,
  type MeterEnergyUpdate,
  meterEnergyUpdate,
  QUEUE_STATS_SQL_COLUMNS,
  type QueueStatsSums,
  type QueueStatsUpdate,
  queueStatsUpdate,
} from '@switchboard/domain';
import type { Pool } from 'pg';

/**
 * The live state as Postgres holds it, built by the same typed constructors the aggregator publishes with
 * (libs/domain update-rows: same ids, same row contract), so rows from the fill and rows from Kafka merge by
 * version. bigint columns are read as float8: every value here stays far below 2^53.
 */
const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());

const SUM_KEYS = Object.keys(QUEUE_STATS_SQL_COLUMNS) as (keyof QueueStatsSums)[];

/** queue_stats_1m windows that started after `sinceMs` (newest first, at most `limit`). */
export async function queueWindowsSince(pool: Pool, sinceMs: number, limit: number): Promise<QueueStatsUpdate[]> {
  const { rows } = await pool.query(
    `SELECT tenant, queue, window_start, window_end,
            ${SUM_KEYS.map((k) => `${QUEUE_STATS_SQL_COLUMNS[k]}::float8 AS "${k}"`).join(', ')},
            is_final, version::float8 AS version, revision
     FROM queue_stats_1m WHERE window_start >= $1 ORDER BY window_start DESC LIMIT $2`,
    [new Date(sinceMs), limit],
  );
  return rows.map((r) =>
    queueStatsUpdate({
      tenant: r.tenant,
      queue: r.queue,
      windowStart: r.window_start.getTime(),
      windowEnd: r.window_end.getTime(),
      sums: Object.fromEntries(SUM_KEYS.map((k) => [k, r[k]])) as unknown as QueueStatsSums,
      isFinal: r.is_final,
      version: r.version,
      revision: r.revision,
    }),
  );
}

/** Every agent's latest status, and each tenant's agent counts as the aggregator computes them (Σ versions). */
export async function agentRows(pool: Pool, limit: number): Promise<(AgentStatusUpdate | AgentCountsUpdate)[]> {
  const { rows } = await pool.query(
    `SELECT tenant, agent_id, status, since, version::float8 AS version FROM agent_status
     ORDER BY updated_at DESC LIMIT $1`,
    [limit],
  );
  const counts = new Map<string, { version: number; byStatus: Record<AgentStatusValue, number> }>();
  const updates: (AgentStatusUpdate | AgentCountsUpdate)[] = rows.map((r) => {
    let c = counts.get(r.tenant);
    if (!c) {
      c = { version: 0, byStatus: { available: 0, busy: 0, wrap_up: 0, break: 0, offline: 0 } };
      counts.set(r.tenant, c);
    }
    c.version += r.version;
    c.byStatus[r.status as AgentStatusValue]++;
    return agentStatusUpdate({
      tenant: r.tenant,
      agentId: r.agent_id,
      status: r.status,
      since: r.since.getTime(),
      version: r.version,
    });
  });
  // Only complete counts: with the limit reached, a tenant's count could miss agents, so it waits for the next change.
  if (rows.length < limit) {
    for (const [tenant, c] of counts) updates.push(agentCountsUpdate(tenant, c.version, c.byStatus));
  }
  return updates;
}

/** Firing alerts, and those resolved (or fired) after `sinceMs`. */
export async function alertRows(pool: Pool, sinceMs: number, limit: number): Promise<AlertUpdate[]> {
  const { rows } = await pool.query(
    `SELECT tenant, rule, entity_type, entity_id, severity, state, message, value, threshold, details, fired_at,
            resolved_at, version::float8 AS version
     FROM alerts WHERE state = 'firing' OR coalesce(resolved_at, fired_at) >= $1
     ORDER BY fired_at DESC LIMIT $2`,
    [new Date(sinceMs), limit],
  );
  return rows.map((r) =>
    alertUpdate({
      tenant: r.tenant,
      rule: r.rule,
      entityType: r.entity_type,
      entityId: r.entity_id,
      severity: r.severity,
      firing: r.state === 'firing',
      message: r.message,
      value: r.value,
      threshold: r.threshold,
      details: r.details,
      firedAt: r.fired_at.getTime(),
      resolvedAt: ms(r.resolved_at),
      version: r.version,
    }),
  );
}

/** One meter's 15-minute windows that started after `sinceMs`. */
export async function meterWindowsSince(
  pool: Pool,
  tenant: string,
  meterId: string,
  sinceMs: number,
): Promise<MeterEnergyUpdate[]> {
  const { rows } = await pool.query(
    `SELECT window_start, window_end, energy_mwh::float8 AS energy_mwh, readings, max_power_w, resets, is_final,
            version::float8 AS version, revision
     FROM meter_energy_15m WHERE tenant = $1 AND meter_id = $2 AND window_start >= $3 ORDER BY window_start`,
    [tenant, meterId, new Date(sinceMs)],
  );
  return rows.map((r) => meterWindowUpdate(tenant, meterId, r));
}

/** A `meter_energy_15m` SQL row (energy and version read as float8) as the typed update the aggregator publishes. */
// biome-ignore lint/suspicious/noExplicitAny: a pg result row of the query's columns
export function meterWindowUpdate(tenant: string, meterId: string, r: Record<string, any>): MeterEnergyUpdate {
  return meterEnergyUpdate({
    tenant,
    meterId,
    windowStart: r.window_start.getTime(),
    windowEnd: r.window_end.getTime(),
    energyMwh: r.energy_mwh,
    readings: r.readings,
    maxPowerW: r.max_power_w,
    resets: r.resets,
    isFinal: r.is_final,
    version: r.version,
    revision: r.revision,
  });
}
