import type { IngestEvent } from './events';
import { MeterSeries, streamId, type TopicName, Topics } from './topics';

/** An event as event data of a stream: id = the event type, value = JSON of the event's fields. */
export interface EventRecord {
  kind: 'event';
  topic: TopicName;
  streamId: string;
  timestamp: number;
  eventId: string;
  value: string;
}

/** A meter reading as one timeseries row. */
export interface TimeseriesRecord {
  kind: 'timeseries';
  topic: TopicName;
  streamId: string;
  timestamp: number;
  numbers: Record<string, number>;
  tags: Record<string, string>;
}

export type StreamRecord = EventRecord | TimeseriesRecord;

/** The value of a call event as consumers decode it (`JSON.parse(eventData.value)`). */
export interface CallEventValue {
  callId: string;
  queue?: string;
  agentId?: string;
  id?: string;
}

/** The value of an agent.status event. */
export interface AgentEventValue {
  agentId: string;
  status: string;
  id?: string;
}

function withId<T extends object>(fields: T, id: string | undefined): T & { id?: string } {
  return id === undefined ? fields : { ...fields, id };
}

/** Where a validated event goes: its entity's stream, as event data or a timeseries row. */
export function toStreamRecord(tenant: string, e: IngestEvent): StreamRecord {
  switch (e.type) {
    case 'call.started':
      return callRecord(tenant, e, withId({ callId: e.callId, queue: e.queue }, e.id));
    case 'call.answered':
      return callRecord(tenant, e, withId({ callId: e.callId, agentId: e.agentId }, e.id));
    case 'call.ended':
      return callRecord(tenant, e, withId({ callId: e.callId }, e.id));
    case 'agent.status': {
      const value: AgentEventValue = withId({ agentId: e.agentId, status: e.status }, e.id);
      return {
        kind: 'event',
        topic: Topics.agents,
        streamId: streamId(tenant, e.agentId),
        timestamp: e.ts,
        eventId: e.type,
        value: JSON.stringify(value),
      };
    }
    case 'meter.reading': {
      const numbers: Record<string, number> = { [MeterSeries.energyWh]: e.energyWh };
      if (e.powerW !== undefined) numbers[MeterSeries.powerW] = e.powerW;
      const tags: Record<string, string> = e.id === undefined ? {} : { [MeterSeries.eventIdTag]: e.id };
      return {
        kind: 'timeseries',
        topic: Topics.meters,
        streamId: streamId(tenant, e.meterId),
        timestamp: e.ts,
        numbers,
        tags,
      };
    }
  }
}

function callRecord(tenant: string, e: IngestEvent & { callId: string }, value: CallEventValue): EventRecord {
  return {
    kind: 'event',
    topic: Topics.calls,
    streamId: streamId(tenant, e.callId),
    timestamp: e.ts,
    eventId: e.type,
    value: JSON.stringify(value),
  };
}
