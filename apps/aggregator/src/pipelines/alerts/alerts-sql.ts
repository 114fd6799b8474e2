import type { PoolClient } from 'pg';
import type { AlertChange } from '../../alerts';

const EPOCH_MS = "'epoch'::timestamptz + interval '1 millisecond' *";

/**
 * Upserts alert rows, one per (tenant, rule, entity, fired_at), the newest version of each. Rows go in fire-time
 * order so that, when one checkpoint resolves an alert and raises the next for the same rule and entity, the
 * resolve lands before the raise (at most one firing row per rule and entity: alerts_one_firing_idx).
 */
export async function writeAlerts(client: PoolClient, changes: readonly AlertChange[]): Promise<void> {
  const latest = new Map<string, AlertChange>();
  for (const c of changes) {
    const id = `${c.tenant}/${c.rule}/${c.entityType}/${c.entityId}/${c.cycle.firedAt}`;
    const seen = latest.get(id);
    if (!seen || seen.cycle.version < c.cycle.version) latest.set(id, c);
  }
  if (latest.size === 0) return;
  const list = [...latest.values()].sort((a, b) => a.cycle.firedAt - b.cycle.firedAt);
  await client.query(
    `INSERT INTO alerts AS a (tenant, rule, entity_type, entity_id, severity, state, message, value, threshold, details,
                              fired_at, resolved_at, version)
     SELECT u.tenant, u.rule, u.entity_type, u.entity_id, u.severity, u.state, u.message, u.value, u.threshold,
            u.details, ${EPOCH_MS} u.fired_at, CASE WHEN u.resolved_at IS NOT NULL THEN ${EPOCH_MS} u.resolved_at END,
            u.version
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[],
                 $9::float8[], $10::jsonb[], $11::bigint[], $12::bigint[], $13::bigint[]) WITH ORDINALITY
       AS u(tenant, rule, entity_type, entity_id, severity, state, message, value, threshold, details, fired_at,
            resolved_at, version, n)
     ORDER BY u.n
     ON CONFLICT (tenant, rule, entity_type, entity_id, fired_at) DO UPDATE
       SET severity = EXCLUDED.severity, state = EXCLUDED.state, message = EXCLUDED.message, value = EXCLUDED.value,
           threshold = EXCLUDED.threshold, details = EXCLUDED.details, resolved_at = EXCLUDED.resolved_at,
           version = EXCLUDED.version
       WHERE a.version < EXCLUDED.version`,
    [
      list.map((c) => c.tenant),
      list.map((c) => c.rule),
      list.map((c) => c.entityType),
      list.map((c) => c.entityId),
      list.map((c) => c.cycle.severity),
      list.map((c) => (c.cycle.firing ? 'firing' : 'resolved')),
      list.map((c) => c.cycle.message),
      list.map((c) => c.cycle.value),
      list.map((c) => c.cycle.threshold),
      list.map((c) => JSON.stringify(c.cycle.details)),
      list.map((c) => c.cycle.firedAt),
      list.map((c) => c.cycle.resolvedAt),
      list.map((c) => c.cycle.version),
    ],
  );
}
