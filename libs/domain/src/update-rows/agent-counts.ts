import { z } from 'zod';
import type { AgentStatusValue } from '../events';
import { type MetricUpdate, updateId } from '../updates';
import { count, entityId } from './fields';

/**
 * `agent_counts`: a tenant's agents by status. Its version is Σ of the tenant's agent_status versions (it grows
 * at every change of any agent). Id `<tenant>/agent_counts`.
 */
export const agentCountsRowSchema = z.object({
  tenant: entityId,
  available: count,
  busy: count,
  wrap_up: count,
  break: count,
  offline: count,
});
export type AgentCountsRow = z.infer<typeof agentCountsRowSchema>;
export type AgentCountsUpdate = MetricUpdate<AgentCountsRow> & { kind: 'agent_counts' };

export type AgentsByStatus = Record<AgentStatusValue, number>;

export function agentCountsUpdate(tenant: string, version: number, counts: AgentsByStatus): AgentCountsUpdate {
  return {
    id: updateId(tenant, 'agent_counts'),
    kind: 'agent_counts',
    tenant,
    version,
    row: {
      tenant,
      available: counts.available,
      busy: counts.busy,
      wrap_up: counts.wrap_up,
      break: counts.break,
      offline: counts.offline,
    },
  };
}
