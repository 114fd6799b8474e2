import { METRIC_UPDATE_MODEL, updateId } from '@switchboard/domain';
import { streamsTables } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import type { AgentStatus } from '../calls/agent-status';

/** One change of an `agent_status` row, with the version it was published under. */
export interface AgentStatusChange {
  tenant: string;
  agentId: string;
  status: AgentStatus;
  since: number;
  version: number;
}

/** Upserts the newest change of each agent (one statement); never over a newer stored version. */
export async function writeAgentStatus(client: PoolClient, changes: readonly AgentStatusChange[]): Promise<void> {
  const latest = new Map<string, AgentStatusChange>();
  for (const c of changes) {
    const seen = latest.get(`${c.tenant}/${c.agentId}`);
    if (!seen || seen.version < c.version) latest.set(`${c.tenant}/${c.agentId}`, c);
  }
  if (latest.size === 0) return;
  const list = [...latest.values()];
  await client.query(
    `INSERT INTO agent_status AS t (tenant, agent_id, status, since, version)
     SELECT u.tenant, u.agent_id, u.status, 'epoch'::timestamptz + interval '1 millisecond' * u.since, u.version
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS u(tenant, agent_id, status, since, version)
     ON CONFLICT (tenant, agent_id) DO UPDATE
       SET status = EXCLUDED.status, since = EXCLUDED.since, version = EXCLUDED.version
       WHERE t.version < EXCLUDED.version`,
    [
      list.map((c) => c.tenant),
      list.map((c) => c.agentId),
      list.map((c) => c.status),
      list.map((c) => c.since),
      list.map((c) => c.version),
    ],
  );
}

/**
 * Agents by status per tenant, as `agent_counts` update events, computed from `agent_status` inside the
 * checkpoint transaction. A tenant's agents are spread over all partitions (and instances), so no single
 * partition knows the total; the table does. A per-tenant advisory lock (taken in tenant order: no deadlock)
 * serialises the count of concurrent checkpoints, so each count sees every earlier committed one. The
 * version is Σ of the tenant's agent_status versions: it grows at every change of any agent of the tenant,
 * so consumers keep the newest count by version like any other update.
 *
 * The records go straight into the streams outbox table (same transaction, published by the relay in id order).
 */
export async function writeAgentCounts(
  client: PoolClient,
  tablePrefix: string,
  topic: string,
  tenants: readonly string[],
): Promise<void> {
  if (tenants.length === 0) return;
  const sorted = [...new Set(tenants)].sort();
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtext('switchboard.agent_counts/' || t))
     FROM (SELECT unnest($1::text[]) AS t ORDER BY 1) s`,
    [sorted],
  );
  const suffix = updateId('', 'agent_counts'); // "/agent_counts": the id is tenant + suffix
  await client.query(
    `INSERT INTO ${streamsTables(tablePrefix).outbox} (topic, key, headers, value)
     SELECT $2, c.tenant || $3, $4::jsonb,
            convert_to(jsonb_build_object('id', c.tenant || $3, 'kind', 'agent_counts', 'tenant', c.tenant,
              'version', c.version, 'row', jsonb_build_object('tenant', c.tenant, 'available', c.available,
              'busy', c.busy, 'wrap_up', c.wrap_up, 'break', c.on_break, 'offline', c.offline))::text, 'UTF8')
     FROM (
       SELECT tenant, sum(version)::bigint AS version,
              count(*) FILTER (WHERE status = 'available') AS available,
              count(*) FILTER (WHERE status = 'busy') AS busy,
              count(*) FILTER (WHERE status = 'wrap_up') AS wrap_up,
              count(*) FILTER (WHERE status = 'break') AS on_break,
              count(*) FILTER (WHERE status = 'offline') AS offline
       FROM agent_status WHERE tenant = ANY($1) GROUP BY tenant ORDER BY tenant
     ) c`,
    [sorted, topic, suffix, JSON.stringify({ 'sb-model': METRIC_UPDATE_MODEL })],
  );
}
