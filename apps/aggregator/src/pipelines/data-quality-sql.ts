import type { PoolClient } from 'pg';

/** One `data_quality_events` row: something the pipeline refused or could not count, never a stop. */
export interface DataQualityRow {
  tenant: string;
  /** `late_reading`, `invalid_reading`, `invalid_meter_properties`, `invalid_agent_status`… */
  kind: string;
  entityType: 'call' | 'agent' | 'meter' | 'queue';
  entityId: string;
  eventTs: number | null;
  detail: Record<string, unknown>;
}

const EPOCH_MS = "'epoch'::timestamptz + interval '1 millisecond' *";

/** Appends data-quality rows. Inside the checkpoint transaction, so a replay after a crash never doubles them. */
export async function writeDataQuality(client: PoolClient, rows: readonly DataQualityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO data_quality_events (tenant, kind, entity_type, entity_id, event_ts, detail)
     SELECT u.tenant, u.kind, u.entity_type, u.entity_id,
            CASE WHEN u.event_ts IS NOT NULL THEN ${EPOCH_MS} u.event_ts END, u.detail
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[]) WITH ORDINALITY
       AS u(tenant, kind, entity_type, entity_id, event_ts, detail, n)
     ORDER BY u.n`,
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
