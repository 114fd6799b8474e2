import type { Pool } from 'pg';

/** The tenant's aggregates as Postgres holds them, in the shapes recompute.ts produces. */
export async function storedEnergy(pool: Pool, tenant: string): Promise<Map<string, string>> {
  const r = await pool.query(
    `SELECT meter_id, (extract(epoch FROM window_start) * 1000)::bigint AS ws, energy_mwh, readings, max_power_w, resets
     FROM meter_energy_15m WHERE tenant = $1`,
    [tenant],
  );
  return new Map(
    r.rows.map((x) => [`${x.meter_id}@${x.ws}`, `${x.energy_mwh}|${x.readings}|${x.max_power_w}|${x.resets}`]),
  );
}

export async function storedQueueStats(pool: Pool, tenant: string): Promise<Map<string, string>> {
  // A window whose every contribution was retracted stays as an all-zero row; a batch has no such row.
  const r = await pool.query(
    `SELECT queue, (extract(epoch FROM window_start) * 1000)::bigint AS ws, offered, answered, abandoned, answered_in_sla,
            abandoned_short, answered_wait_ms_sum, wait_ms_sum, coalesce(max_wait_ms, 0) AS max_wait_ms, talk_ms_sum, talk_count
     FROM queue_stats_1m WHERE tenant = $1 AND (offered + answered + abandoned + talk_count) > 0`,
    [tenant],
  );
  return new Map(
    r.rows.map((x) => [
      `${x.queue}@${x.ws}`,
      [
        x.offered,
        x.answered,
        x.abandoned,
        x.answered_in_sla,
        x.abandoned_short,
        x.answered_wait_ms_sum,
        x.wait_ms_sum,
        x.max_wait_ms,
        x.talk_ms_sum,
        x.talk_count,
      ]
        .map(Number)
        .join('|'),
    ]),
  );
}

export async function storedAgents(pool: Pool, tenant: string): Promise<Map<string, string>> {
  const r = await pool.query(
    `SELECT agent_id, status, (extract(epoch FROM since) * 1000)::bigint AS ts FROM agent_status WHERE tenant = $1`,
    [tenant],
  );
  return new Map(r.rows.map((x) => [x.agent_id, `${x.status}@${x.ts}`]));
}

/** Queue SLAs as the queues table holds them (PUT /v1/queues), default 20 s. */
export async function storedSlaSeconds(pool: Pool, tenant: string): Promise<(queue: string) => number> {
  const r = await pool.query<{ queue: string; sla_seconds: number }>(
    'SELECT queue, sla_seconds FROM queues WHERE tenant = $1',
    [tenant],
  );
  const sla = new Map(r.rows.map((x) => [x.queue, Number(x.sla_seconds)]));
  return (queue) => sla.get(queue) ?? 20;
}
