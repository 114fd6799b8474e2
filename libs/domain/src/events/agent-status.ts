import { z } from 'zod';
import { commonFields, entityId } from './fields';

export const AGENT_STATUSES = ['available', 'busy', 'wrap_up', 'break', 'offline'] as const;
export type AgentStatusValue = (typeof AGENT_STATUSES)[number];

/** An agent's status changed. */
export const agentStatusSchema = z.object({
  type: z.literal('agent.status'),
  ...commonFields,
  agentId: entityId,
  status: z.enum(AGENT_STATUSES, { error: `must be one of ${AGENT_STATUSES.join(', ')}` }),
});
export type AgentStatus = z.output<typeof agentStatusSchema>;
