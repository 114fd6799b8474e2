export const AGENT_STATUSES = ['available', 'busy', 'wrap_up', 'break', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentStatusEvent {
  readonly type: 'agent.status';
  readonly agentId: string;
  readonly status: AgentStatus;
  readonly ts: number;
}

/** One `agent_status` row: the latest status of an agent by event time. */
export interface AgentStatusEntry {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** Event time of the status, epoch ms. */
  readonly since: number;
}

export type AgentsByStatus = Record<AgentStatus, number>;

/**
 * Agents by status for one tenant (the live gauge), keeping the latest status per agent by event ts, so a
 * late-arriving older status never overwrites a newer one. Two statuses with the same ts are ordered by their
 * position in AGENT_STATUSES (the later one wins), which keeps the result independent of arrival order.
 */
export class AgentStatusBoard {
  private readonly agents: Map<string, AgentStatusEntry>;

  constructor(snapshot: readonly AgentStatusEntry[] = []) {
    this.agents = new Map(snapshot.map((e) => [e.agentId, e]));
  }

  snapshot(): AgentStatusEntry[] {
    return [...this.agents.values()];
  }

  /** Returns the agent's new entry when it changed (upsert `agent_status`), or null when the event is stale. */
  apply(event: AgentStatusEvent): AgentStatusEntry | null {
    const known = this.agents.get(event.agentId);
    if (known && !isNewer(event, known)) return null;
    const entry: AgentStatusEntry = { agentId: event.agentId, status: event.status, since: event.ts };
    this.agents.set(event.agentId, entry);
    return entry;
  }

  get(agentId: string): AgentStatusEntry | undefined {
    return this.agents.get(agentId);
  }

  countsByStatus(): AgentsByStatus {
    const counts = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as AgentsByStatus;
    for (const { status } of this.agents.values()) counts[status] += 1;
    return counts;
  }
}

function isNewer(event: AgentStatusEvent, known: AgentStatusEntry): boolean {
  if (event.ts !== known.since) return event.ts > known.since;
  return AGENT_STATUSES.indexOf(event.status) > AGENT_STATUSES.indexOf(known.status);
}
