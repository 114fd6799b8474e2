import { agentStatusUpdate, parseStreamId, Topics, UpdateTopics } from '@switchboard/domain';
import {
  type ConsumedMessage,
  type EventData,
  type KeyedStore,
  keyedState,
  type OutboxRecord,
  PartitionedStores,
  type Topology,
} from '@switchboard/streams';
import type { PoolClient } from 'pg';
import { type AgentStatus, AgentStatusBoard, type AgentStatusEntry } from '../../calls/agent-status';
import { Refusals, type RefusalType } from '../data-quality-dead-letter';
import { type DataQualityRow, writeDataQuality } from '../data-quality-sql';
import { metricUpdateRecord } from '../metric-update-record';
import { invalidStatusRow, readAgentStatus } from './agent-status-input';
import { type AgentStatusChange, writeAgentCounts, writeAgentStatus } from './agents-sql';

/** What the state keeps per agent (key = stream id `<tenant>/<agentId>`): its latest status and row version. */
export interface AgentState {
  status: AgentStatus;
  since: number;
  version: number;
}

export interface AgentsTopologyOptions {
  /** Prefix of the streams tables: agent counts are written to its outbox inside the transaction. */
  tablePrefix: string;
  /** The input topic (default `events.agents`): unusable statuses go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic?: string;
  updatesTopic?: string;
}

export interface AgentsTopology extends Topology<AgentsResult> {
  /** Statuses refused since start (all `invalid`: an older status is not late, it simply loses). */
  readonly refused: Readonly<Record<RefusalType, number>>;
}

export type AgentsResult = { kind: 'agent'; change: AgentStatusChange } | { kind: 'data-quality'; row: DataQualityRow };

/**
 * events.agents → agent_status (latest status per agent by event time, AgentStatusBoard's rule: a later ts wins,
 * ties by AGENT_STATUSES order) → `agent_status` and `agent_counts` updates on metrics.updates.
 *
 * No windows, so no stream time: an older status arriving late simply loses. Agent state has no TTL: it is one
 * small entry per agent a tenant ever had (offline agents still count as offline), and dropping it would
 * restart the row's version below what Postgres holds.
 */
export function agentsTopology(opts: AgentsTopologyOptions): AgentsTopology {
  const updatesTopic = opts.updatesTopic ?? UpdateTopics.updates;
  const inputTopic = opts.inputTopic ?? Topics.agents;
  const stores = new PartitionedStores<AgentState>();
  let results: AgentsResult[] = [];
  let outbox: OutboxRecord[] = [];
  const refusals = new Refusals((row) => results.push({ kind: 'data-quality', row }));

  /** One event of an agent stream: refused when unusable, else folded into the batch's latest status of the agent. */
  function apply(m: ConsumedMessage, e: EventData, changed: Map<string, AgentStatusEntry>): void {
    const store = stores.get(m.partition);
    if (!store) return;
    const key = m.streamId;
    const { tenant, entityId: agentId } = parseStreamId(key);
    const input = readAgentStatus(e.id, e.value, e.timestamp);
    if ('problem' in input) {
      const source = { topic: inputTopic, partition: m.partition, offset: m.offset, streamId: key };
      refusals.refuse(source, invalidStatusRow(tenant, agentId, e, input.possibleTs), 'invalid', input.problem);
      return;
    }
    const known = changed.get(key) ?? entryOf(agentId, store.get(key));
    const board = new AgentStatusBoard(known ? [known] : []);
    const entry = board.apply({ type: 'agent.status', agentId, status: input.status, ts: e.timestamp });
    if (entry) changed.set(key, entry);
  }

  /** The batch's changed agents: one new version each, a row and an `agent_status` update. */
  function publish(store: KeyedStore<AgentState>, changed: Map<string, AgentStatusEntry>): void {
    for (const [key, entry] of changed) {
      const { tenant } = parseStreamId(key);
      const version = (store.get(key)?.version ?? 0) + 1;
      store.set(key, { status: entry.status, since: entry.since, version }, entry.since);
      const change: AgentStatusChange = {
        tenant,
        agentId: entry.agentId,
        status: entry.status,
        since: entry.since,
        version,
      };
      results.push({ kind: 'agent', change });
      outbox.push(metricUpdateRecord(updatesTopic, agentStatusUpdate(change)));
    }
  }

  return {
    states: [keyedState('agents', stores)],
    process(partition: number, messages: readonly ConsumedMessage[]): void {
      const store = stores.get(partition);
      if (!store) return;
      // Statuses of one batch fold first: the row changes once per batch, with one new version.
      const changed = new Map<string, AgentStatusEntry>();
      for (const m of messages) {
        if (m.message.kind !== 'event') continue;
        for (const e of m.message.events) apply(m, e, changed);
      }
      publish(store, changed);
    },
    tick: () => undefined,
    drain() {
      const drained = { results, outbox: [...outbox, ...refusals.drain()] };
      results = [];
      outbox = [];
      return drained;
    },
    writeResults: (client, all) => writeAgentsResults(client, opts.tablePrefix, updatesTopic, all),
    refused: refusals.counts,
  };
}

function entryOf(agentId: string, s: AgentState | undefined): AgentStatusEntry | undefined {
  return s ? { agentId, status: s.status, since: s.since } : undefined;
}

/** Agent rows, the tenants' `agent_counts` (computed in the checkpoint transaction) and data-quality rows. */
async function writeAgentsResults(
  client: PoolClient,
  tablePrefix: string,
  updatesTopic: string,
  all: readonly AgentsResult[],
): Promise<void> {
  const agents: AgentStatusChange[] = [];
  const quality: DataQualityRow[] = [];
  for (const r of all) {
    if (r.kind === 'agent') agents.push(r.change);
    else quality.push(r.row);
  }
  await writeAgentStatus(client, agents);
  await writeAgentCounts(
    client,
    tablePrefix,
    updatesTopic,
    agents.map((a) => a.tenant),
  );
  await writeDataQuality(client, quality);
}
