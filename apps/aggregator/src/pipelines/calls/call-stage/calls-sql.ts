import type { PoolClient } from 'pg';

/** One `queues` row (the properties a PUT /v1/queues set). */
export interface QueueRow {
  readonly tenant: string;
  readonly queue: string;
  readonly name: string | null;
  readonly slaSeconds: number;
}

/** Upserts queue properties; the last of a queue in the batch wins (they come from one stream, in order). */
export async function upsertQueues(client: PoolClient, rows: readonly QueueRow[]): Promise<void> {
  const latest = new Map<string, QueueRow>();
  for (const r of rows) latest.set(`${r.tenant}\u0000${r.queue}`, r);
  if (latest.size === 0) return;
  const list = [...latest.values()];
  await client.query(
    `INSERT INTO queues (tenant, queue, name, sla_seconds)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT (tenant, queue) DO UPDATE
       SET name = EXCLUDED.name, sla_seconds = EXCLUDED.sla_seconds, updated_at = now()`,
    [list.map((r) => r.tenant), list.map((r) => r.queue), list.map((r) => r.name), list.map((r) => r.slaSeconds)],
  );
}
