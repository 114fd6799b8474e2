import { namespaced, Topics, UpdateTopics } from '@switchboard/domain';
import { callsHopTopic } from '../pipelines/calls/calls-hop';
import { ReplayConfigError } from './replay-errors';

/** Where the aggregator's groups and topics live: the group prefix and the topic namespace. */
export interface GroupScope {
  groupPrefix: string;
  namespace?: string;
}

/** One consumer group of the aggregator, as far as a replay needs to know it. */
export interface AggregatorGroup {
  /** The group is `<groupPrefix>.<suffix>`. */
  readonly suffix: string;
  /** The pipeline (`Pipeline.name`) that runs it. A group whose pipeline the replay does not run is only seeded. */
  readonly pipeline: string;
  /** The topic the group reads. */
  input(scope: GroupScope): string;
  /**
   * false: the input is an events topic, the log a replay rebuilds from; the group reads it from its start.
   * true: the input is written by the aggregator itself (a repartition hop, the update events), and the replay
   * writes it anew; the group starts at the topic's current end, so it never reads the old run's records.
   */
  readonly seedAtEnd: boolean;
}

/** Every consumer group of the aggregator and what it reads: the one list `switchboard replay` works from. */
export const aggregatorGroups: readonly AggregatorGroup[] = [
  { suffix: 'energy', pipeline: 'energy', input: (s) => namespaced(Topics.meters, s.namespace), seedAtEnd: false },
  { suffix: 'agents', pipeline: 'agents', input: (s) => namespaced(Topics.agents, s.namespace), seedAtEnd: false },
  { suffix: 'calls', pipeline: 'calls', input: (s) => namespaced(Topics.calls, s.namespace), seedAtEnd: false },
  { suffix: 'queues', pipeline: 'calls', input: (s) => callsHopTopic(s.groupPrefix), seedAtEnd: true },
  // The alert rules read the update events the other pipelines write.
  {
    suffix: 'alerts',
    pipeline: 'alerts',
    input: (s) => namespaced(UpdateTopics.updates, s.namespace),
    seedAtEnd: true,
  },
];

export function groupId(scope: GroupScope, group: AggregatorGroup): string {
  return `${scope.groupPrefix}.${group.suffix}`;
}

/** The topics of a scope, as a replay's reset needs them. */
export interface ScopeTopics {
  /** What the scope's groups read: their checkpoint rows are on these topics, and only these. */
  inputs: string[];
  /** What the scope's pipelines write through the outbox: update events, alerts, the hop, every input's dead letters. */
  outbox: string[];
}

/** The topics of the scope's groups and pipelines (pure): other namespaces' rows are on none of them. */
export function scopeTopics(groups: readonly AggregatorGroup[], scope: GroupScope): ScopeTopics {
  const inputs = [...new Set(groups.map((g) => g.input(scope)))];
  const written = [...inputs, namespaced(UpdateTopics.alerts, scope.namespace)];
  return { inputs, outbox: [...new Set([...written, ...inputs.map((t) => `${t}.dlq`)])] };
}

// As AGGREGATOR_GROUP_PREFIX and SWITCHBOARD_TOPIC_NAMESPACE are validated (config.ts, libs/service).
const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** The scope, checked: a prefix or namespace that is empty or has other characters than A–Z a–z 0–9 . _ - is refused. */
export function checkScope(scope: GroupScope): GroupScope {
  if (!NAME.test(scope.groupPrefix)) {
    throw new ReplayConfigError(
      'the group prefix must be 1–200 characters of A–Z, a–z, 0–9, ".", "_" and "-", e.g. "aggregator"',
      { groupPrefix: JSON.stringify(scope.groupPrefix) },
    );
  }
  if (scope.namespace !== undefined && !NAME.test(scope.namespace)) {
    throw new ReplayConfigError(
      'the topic namespace must be 1–200 characters of A–Z, a–z, 0–9, ".", "_" and "-" (or none)',
      { namespace: JSON.stringify(scope.namespace) },
    );
  }
  return scope;
}
