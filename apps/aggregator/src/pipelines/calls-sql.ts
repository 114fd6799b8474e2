import type { PoolClient } from 'pg';

/** One `data_quality_events` row. */
export interface DataQualityRow {
  readonly tenant: string;
  readonly kind: string;
  readonly entityType: 'call' | 'agent' | 'meter' | 'queue';
  readonly entityId: string;
  readonly eventTs: number | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** One `queues` row (the properties a PUT /v1/queues set). */
export interface QueueRow {
  readonly tenant: string;
  readonly queue: string;
  readonly name: string | null;
  readonly slaSeconds: number;
}

/** Inserts data-quality rows in one statement (inside the checkpoint, so each is written exactly once). */
export async function insertDataQuality(client: PoolClient, rows: readonly DataQualityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO data_quality_events (tenant, kind, entity_type, entity_id, event_ts, detail)
     SELECT u.tenant, u.kind, u.entity_type, u.entity_id, to_timestamp(u.ts / 1000.0), u.detail
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[])
       AS u(tenant, kind, entity_type, entity_id, ts, detail)`,
    [
      rows.map((r) => r.tenant),
      rows.map((r) => r.kind),
      rows.map((r) => r.entityType),
      rows.map((r) => r.entityId),
      rows.map((r) => r.eventTs),
      rows.map((r) => JSON.stringify(r.detail)),
    ],
  );
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
