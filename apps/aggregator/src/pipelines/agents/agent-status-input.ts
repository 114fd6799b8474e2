import type { EventData } from '@switchboard/streams';
import { AGENT_STATUSES, type AgentStatus } from '../../calls/agent-status';
import type { DataQualityRow } from '../data-quality-sql';

export const AGENT_STATUS_EVENT = 'agent.status';

const MAX_EPOCH_MS = 253_402_300_799_999;

/** An `agent.status` event as the topology reads it: its status, or why it cannot be used. */
export type AgentStatusInput =
  | { readonly status: AgentStatus }
  | { readonly problem: string; readonly possibleTs: boolean };

/** Reads one event of an agent stream (libs/domain routing: id `agent.status`, JSON `{agentId, status, id?}`). */
export function readAgentStatus(id: string, value: string, timestamp: number): AgentStatusInput {
  const status = statusOf(value);
  const possibleTs = Number.isSafeInteger(timestamp) && timestamp >= 0 && timestamp <= MAX_EPOCH_MS;
  const problem =
    id !== AGENT_STATUS_EVENT
      ? `event "${String(id).slice(0, 200)}" is not ${AGENT_STATUS_EVENT}`
      : status === undefined
        ? `value has no status in ${AGENT_STATUSES.join(', ')}`
        : !possibleTs
          ? 'timestamp is not a whole epoch ms in years 0–9999'
          : undefined;
  if (problem !== undefined || status === undefined) return { problem: problem ?? 'no status', possibleTs };
  return { status };
}

/** The `invalid_agent_status` row of an unusable event (its ts only when it is a possible one). */
export function invalidStatusRow(tenant: string, agentId: string, e: EventData, possibleTs: boolean): DataQualityRow {
  return {
    tenant,
    kind: 'invalid_agent_status',
    entityType: 'agent',
    entityId: agentId,
    eventTs: possibleTs ? e.timestamp : null,
    detail: { eventId: String(e.id).slice(0, 200), value: String(e.value).slice(0, 500) },
  };
}

/** The value of an agent.status event, or undefined. */
function statusOf(value: string): AgentStatus | undefined {
  try {
    const v = JSON.parse(value) as { status?: unknown };
    return (AGENT_STATUSES as readonly unknown[]).includes(v?.status) ? (v.status as AgentStatus) : undefined;
  } catch {
    return undefined;
  }
}
