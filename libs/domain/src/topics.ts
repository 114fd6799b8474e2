/**
 * Where each kind of event travels in Kafka, and how streams are named. Ingest writes these, the
 * aggregator reads them: this file is the single place both agree on.
 */
export const Topics = {
  /** call.* events (event data) and queue properties, one stream per call / per queue. */
  calls: 'events.calls',
  /** agent.status events (event data), one stream per agent. */
  agents: 'events.agents',
  /** meter readings (timeseries) and meter properties, one stream per meter. */
  meters: 'events.meters',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/**
 * A topic inside a namespace (`<namespace>.<topic>`): several environments, or isolated test runs, can share
 * one Kafka cluster. Ingest and the aggregator take the namespace from SWITCHBOARD_TOPIC_NAMESPACE.
 */
export function namespaced(topic: string, namespace?: string): string {
  return namespace ? `${namespace}.${topic}` : topic;
}

/** Partitions of each topic when the streams library creates it. */
export const DEFAULT_TOPIC_PARTITIONS = 2;

/** Timeseries parameter and tag names of a meter stream. */
export const MeterSeries = {
  energyWh: 'energyWh',
  powerW: 'powerW',
  /** The integrator's event id, when one was given (lets consumers trace a reading back). */
  eventIdTag: 'eventId',
} as const;

/** Metadata keys of stream properties set through PUT /v1/meters and PUT /v1/queues. */
export const PropertyKeys = {
  /** Which entity a properties message describes: 'meter' or 'queue'. */
  kind: 'kind',
  site: 'site',
  timezone: 'timezone',
  slaSeconds: 'slaSeconds',
} as const;

// '/' cannot occur in a tenant or an entity id (both are [A-Za-z0-9._:-]), so the split is unambiguous.
const SEPARATOR = '/';

/** The stream id (= Kafka key) of one entity of one tenant. */
export function streamId(tenant: string, entityId: string): string {
  return `${tenant}${SEPARATOR}${entityId}`;
}

export class InvalidStreamIdError extends Error {
  constructor(readonly streamId: string) {
    super(`stream id "${streamId}" is not "<tenant>/<entityId>"`);
    this.name = 'InvalidStreamIdError';
  }
}

/** Splits a stream id back into tenant and entity id. */
export function parseStreamId(id: string): { tenant: string; entityId: string } {
  const at = id.indexOf(SEPARATOR);
  if (at <= 0 || at === id.length - 1 || id.indexOf(SEPARATOR, at + 1) !== -1) throw new InvalidStreamIdError(id);
  return { tenant: id.slice(0, at), entityId: id.slice(at + 1) };
}
