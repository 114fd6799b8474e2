import { type AgentStatusChange, agentCountsUpdate } from '@switchboard/domain';
import { streamsTables } from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { metricUpdateRecord } from '../metric-update-record';

export type { AgentStatusChange };

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
 * The records (built by the domain's `agentCountsUpdate`, like every other update) go straight into the streams
 * outbox table: same transaction, ahead of the batch's own outbox rows, published by the relay in id order.
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
  const { rows } = await client.query<{
    tenant: string;
    version: string;
    available: number;
    busy: number;
    wrap_up: number;
    on_break: number;
    offline: number;
  }>(
    `SELECT tenant, sum(version)::bigint AS version,
            count(*) FILTER (WHERE status = 'available')::int AS available,
            count(*) FILTER (WHERE status = 'busy')::int AS busy,
            count(*) FILTER (WHERE status = 'wrap_up')::int AS wrap_up,
            count(*) FILTER (WHERE status = 'break')::int AS on_break,
            count(*) FILTER (WHERE status = 'offline')::int AS offline
     FROM agent_status WHERE tenant = ANY($1) GROUP BY tenant ORDER BY tenant`,
    [sorted],
  );
  const records = rows.map((c) =>
    metricUpdateRecord(
      topic,
      agentCountsUpdate(c.tenant, Number(c.version), {
        available: c.available,
        busy: c.busy,
        wrap_up: c.wrap_up,
        break: c.on_break,
        offline: c.offline,
      }),
    ),
  );
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO ${streamsTables(tablePrefix).outbox} (topic, key, headers, value)
     SELECT u.topic, u.key, u.headers, u.value
     FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bytea[]) WITH ORDINALITY AS u(topic, key, headers, value, n)
     ORDER BY u.n`,
    [
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => JSON.stringify(r.headers ?? {})),
      records.map((r) => r.value),
    ],
  );
}
