import { type MetricUpdate, QUEUE_STATS_SQL_COLUMNS, updateId } from '@switchboard/domain';
import type { Pool } from 'pg';

/**
 * The live state as Postgres holds it, in the update envelope the aggregator publishes (same ids, same row
 * shape: column names, timestamps as ISO text, numbers as numbers), so rows from the fill and rows from Kafka
 * merge by version. bigint columns are read as float8: every value here stays far below 2^53.
 */
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

const QUEUE_NUMBERS = Object.values(QUEUE_STATS_SQL_COLUMNS);

/** queue_stats_1m windows that started after `sinceMs` (newest first, at most `limit`). */
export async function queueWindowsSince(pool: Pool, sinceMs: number, limit: number): Promise<MetricUpdate[]> {
  const { rows } = await pool.query(
    `SELECT tenant, queue, window_start, window_end, ${QUEUE_NUMBERS.map((c) => `${c}::float8 AS ${c}`).join(', ')},
            is_final, version::float8 AS version
     FROM queue_stats_1m WHERE window_start >= $1 ORDER BY window_start DESC LIMIT $2`,
    [new Date(sinceMs), limit],
  );
  return rows.map((r) => {
    const row: Record<string, unknown> = {
      tenant: r.tenant,
      queue: r.queue,
      window_start: iso(r.window_start),
      window_end: iso(r.window_end),
    };
    for (const c of QUEUE_NUMBERS) row[c] = r[c];
    row.is_final = r.is_final;
    row.version = r.version;
    const id = updateId(r.tenant, 'queue_stats_1m', r.queue, r.window_start.getTime());
    return { id, kind: 'queue_stats_1m', tenant: r.tenant, version: r.version, row };
  });
}

/** Every agent's latest status, and each tenant's agent counts as the aggregator computes them (Σ versions). */
export async function agentRows(pool: Pool, limit: number): Promise<MetricUpdate[]> {
  const { rows } = await pool.query(
    `SELECT tenant, agent_id, status, since, version::float8 AS version FROM agent_status
     ORDER BY updated_at DESC LIMIT $1`,
    [limit],
  );
  const counts = new Map<string, { version: number; row: Record<string, unknown> }>();
  const updates: MetricUpdate[] = rows.map((r) => {
    let c = counts.get(r.tenant);
    if (!c) {
      c = { version: 0, row: { tenant: r.tenant, available: 0, busy: 0, wrap_up: 0, break: 0, offline: 0 } };
      counts.set(r.tenant, c);
    }
    c.version += r.version;
    c.row[r.status] = (c.row[r.status] as number) + 1;
    const row = { tenant: r.tenant, agent_id: r.agent_id, status: r.status, since: iso(r.since), version: r.version };
    return {
      id: updateId(r.tenant, 'agent_status', r.agent_id),
      kind: 'agent_status',
      tenant: r.tenant,
      version: r.version,
      row,
    };
  });
  // Only complete counts: with the limit reached, a tenant's count could miss agents, so it waits for the next change.
  if (rows.length < limit) {
    for (const [tenant, c] of counts) {
      updates.push({
        id: updateId(tenant, 'agent_counts'),
        kind: 'agent_counts',
        tenant,
        version: c.version,
        row: c.row,
      });
    }
  }
  return updates;
}

/** Firing alerts, and those resolved (or fired) after `sinceMs`. */
export async function alertRows(pool: Pool, sinceMs: number, limit: number): Promise<MetricUpdate[]> {
  const { rows } = await pool.query(
    `SELECT tenant, rule, entity_type, entity_id, severity, state, message, value, threshold, details, fired_at,
            resolved_at, version::float8 AS version
     FROM alerts WHERE state = 'firing' OR coalesce(resolved_at, fired_at) >= $1
     ORDER BY fired_at DESC LIMIT $2`,
    [new Date(sinceMs), limit],
  );
  return rows.map((r) => ({
    id: updateId(r.tenant, 'alert', r.rule, r.entity_type, r.entity_id, r.fired_at.getTime()),
    kind: 'alert',
    tenant: r.tenant,
    version: r.version,
    row: {
      tenant: r.tenant,
      rule: r.rule,
      entity_type: r.entity_type,
      entity_id: r.entity_id,
      severity: r.severity,
      state: r.state,
      message: r.message,
      value: r.value,
      threshold: r.threshold,
      details: r.details,
      fired_at: iso(r.fired_at),
      resolved_at: iso(r.resolved_at),
      version: r.version,
    },
  }));
}

/** One meter's 15-minute windows that started after `sinceMs`. */
export async function meterWindowsSince(
  pool: Pool,
  tenant: string,
  meterId: string,
  sinceMs: number,
): Promise<MetricUpdate[]> {
  const { rows } = await pool.query(
    `SELECT window_start, window_end, energy_mwh::float8 AS energy_mwh, readings, max_power_w, resets, is_final,
            version::float8 AS version
     FROM meter_energy_15m WHERE tenant = $1 AND meter_id = $2 AND window_start >= $3 ORDER BY window_start`,
    [tenant, meterId, new Date(sinceMs)],
  );
  return rows.map((r) => ({
    id: updateId(tenant, 'meter_energy_15m', meterId, r.window_start.getTime()),
    kind: 'meter_energy_15m',
    tenant,
    version: r.version,
    row: {
      tenant,
      meter_id: meterId,
      window_start: iso(r.window_start),
      window_end: iso(r.window_end),
      energy_mwh: r.energy_mwh,
      readings: r.readings,
      max_power_w: r.max_power_w,
      resets: r.resets,
      is_final: r.is_final,
      version: r.version,
    },
  }));
}
