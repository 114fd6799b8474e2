import type { StreamingClient } from '@switchboard/streams';
import type { Pool } from 'pg';
import { diffRows, type RowDifference } from './diff-aggregates';
import { readTenantEvents } from './read-tenant-events';
import { recomputeAgents, recomputeEnergy, recomputeQueueStats } from './recompute';
import { storedAgents, storedEnergy, storedQueueStats, storedSlaSeconds } from './stored-aggregates';

export interface VerifyOptions {
  tenant: string;
  /** Windows starting in [from, to) are compared (epoch ms); agents always. */
  from?: number;
  to?: number;
  namespace?: string;
  onProgress?: (read: number) => void;
}

export interface VerifyReport {
  events: number;
  unreadable: number;
  rowsCompared: number;
  differences: RowDifference[];
}

/** `switchboard verify`: recompute the tenant's aggregates in batch from the input topics and diff Postgres. */
export async function verifyTenant(client: StreamingClient, pool: Pool, o: VerifyOptions): Promise<VerifyReport> {
  const { events, unreadable } = await readTenantEvents(client, o.tenant, o.namespace, o.onProgress);
  const sla = await storedSlaSeconds(pool, o.tenant);
  const pairs = [
    ['meter_energy_15m', recomputeEnergy(events), await storedEnergy(pool, o.tenant)],
    ['queue_stats_1m', recomputeQueueStats(events, sla), await storedQueueStats(pool, o.tenant)],
    ['agent_status', recomputeAgents(events), await storedAgents(pool, o.tenant)],
  ] as const;
  const differences = pairs.flatMap(([table, expected, stored]) => diffRows(table, expected, stored, o.from, o.to));
  const rowsCompared = pairs.reduce(
    (n, [, expected, stored]) => n + new Set([...expected.keys(), ...stored.keys()]).size,
    0,
  );
  return { events: events.length, unreadable, rowsCompared, differences };
}
