import { namespaced, Topics, UpdateTopics } from '@switchboard/domain';
import { deadLetterTopicOf, SERVICE_STATUS_TOPIC, SERVICE_STATUS_TOPIC_CONFIG } from '@switchboard/streams';

export type SwitchboardService = 'ingest' | 'aggregator' | 'dashboard-gateway';

/** One topic the system needs, as a cluster administrator creates it. */
export interface PlannedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic configs to set at creation (compaction for service.status); empty: the cluster's defaults. */
  config: Readonly<Record<string, string>>;
  /** Who writes and reads it, and why it exists (the plan's last column). */
  purpose: string;
  /** The services that need it (each verifies these at start with KAFKA_TOPICS=verify). */
  services: readonly SwitchboardService[];
}

export interface TopicPlanOptions {
  /** SWITCHBOARD_TOPIC_NAMESPACE: every topic but the repartition topic becomes `<namespace>.<topic>`. */
  namespace?: string;
  /** AGGREGATOR_GROUP_PREFIX (default `aggregator`): it names the calls repartition topic. */
  groupPrefix?: string;
  /** Partitions of every topic (KAFKA_TOPIC_PARTITIONS): the aggregator's parallelism ceiling. */
  partitions: number;
  replicationFactor: number;
}

/**
 * The calls pipeline's repartition topic (apps/aggregator/src/pipelines/calls-hop.ts names it the same; a spec holds
 * the two together): per group prefix, not namespaced.
 */
const callsHopTopic = (groupPrefix: string) => `${groupPrefix}.calls.by-queue`;

/**
 * Every topic the system creates (KAFKA_TOPICS=create) or expects to find (verify), in one list: the
 * `switchboard topics plan` output and what each service checks at start. The aggregator's processors each have a
 * dead-letter topic `<input>.dlq`; all topics share one partition count, because the calls repartition topic must
 * have as many partitions as `events.calls` and the aggregator scales out to the partition count.
 */
export function topicPlan(o: TopicPlanOptions): PlannedTopic[] {
  const ns = (topic: string) => namespaced(topic, o.namespace);
  const hop = callsHopTopic(o.groupPrefix ?? 'aggregator');
  const topic = (
    name: string,
    purpose: string,
    services: SwitchboardService[],
    config: Readonly<Record<string, string>> = {},
  ): PlannedTopic => ({
    name,
    partitions: o.partitions,
    replicationFactor: o.replicationFactor,
    config,
    purpose,
    services,
  });
  const deadLetters = (input: string, what: string) =>
    topic(deadLetterTopicOf(input), `dead letters of the aggregator's ${what} (refused or unreadable input)`, [
      'aggregator',
    ]);
  return [
    topic(ns(Topics.calls), 'call events and queue properties: ingest → aggregator', ['ingest', 'aggregator']),
    topic(ns(Topics.agents), 'agent status events: ingest → aggregator', ['ingest', 'aggregator']),
    topic(ns(Topics.meters), 'meter readings and properties: ingest → aggregator', ['ingest', 'aggregator']),
    topic(hop, 'call facts by queue: the aggregator repartitions events.calls to itself', ['aggregator']),
    topic(ns(UpdateTopics.updates), 'committed row changes: aggregator → gateway and the alert rules', [
      'aggregator',
      'dashboard-gateway',
    ]),
    topic(ns(UpdateTopics.alerts), 'alert changes: aggregator → gateway', ['aggregator', 'dashboard-gateway']),
    topic(
      ns(SERVICE_STATUS_TOPIC),
      "every instance's status, kept per instance by compaction: all services → gateway",
      ['ingest', 'aggregator', 'dashboard-gateway'],
      SERVICE_STATUS_TOPIC_CONFIG,
    ),
    deadLetters(ns(Topics.calls), 'calls pipeline'),
    deadLetters(ns(Topics.agents), 'agents pipeline'),
    deadLetters(ns(Topics.meters), 'energy pipeline'),
    deadLetters(hop, 'per-queue stage'),
    deadLetters(ns(UpdateTopics.updates), 'alert rules'),
  ];
}

/** The names of the topics one service needs. */
export function serviceTopics(plan: readonly PlannedTopic[], service: SwitchboardService): string[] {
  return plan.filter((t) => t.services.includes(service)).map((t) => t.name);
}
