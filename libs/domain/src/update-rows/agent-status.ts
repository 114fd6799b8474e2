import { z } from 'zod';
import { AGENT_STATUSES, type AgentStatusValue } from '../events';
import { type MetricUpdate, updateId } from '../updates';
import { entityId, isoOf, isoTime, rowVersion } from './fields';

/** `agent_status`: an agent's latest status (the table of that name). Id `<tenant>/agent_status/<agent>`. */
export const agentStatusRowSchema = z.object({
  tenant: entityId,
  agent_id: entityId,
  status: z.enum(AGENT_STATUSES),
  since: isoTime,
  version: rowVersion,
});
export type AgentStatusRow = z.infer<typeof agentStatusRowSchema>;
export type AgentStatusUpdate = MetricUpdate<AgentStatusRow> & { kind: 'agent_status' };

export interface AgentStatusChange {
  readonly tenant: string;
  readonly agentId: string;
  readonly status: AgentStatusValue;
  /** Epoch ms of the event that set it. */
  readonly since: number;
  readonly version: number;
}

export function agentStatusUpdate(c: AgentStatusChange): AgentStatusUpdate {
  return {
    id: updateId(c.tenant, 'agent_status', c.agentId),
    kind: 'agent_status',
    tenant: c.tenant,
    version: c.version,
    row: { tenant: c.tenant, agent_id: c.agentId, status: c.status, since: isoOf(c.since), version: c.version },
  };
}
