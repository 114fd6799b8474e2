import { type CallEventValue, PropertyKeys, parseStreamId, slaSecondsOf } from '@switchboard/domain';
import type { EventData, StreamPropertiesData } from '@switchboard/streams';
import type { CallEvent } from '../../../calls';

/** Why an input item cannot be used; it becomes a data-quality row instead of a metric. */
export interface InvalidInput {
  readonly invalid: string;
}

/** Splits a stream id of events.calls; null when it is not `<tenant>/<entity>`. */
export function splitStreamId(id: string): { tenant: string; entityId: string } | null {
  try {
    return parseStreamId(id);
  } catch {
    return null;
  }
}

/**
 * Reads one event of a call stream as ingest writes it (libs/domain routing: id = the event type, value = JSON
 * of `CallEventValue`, timestamp = event ts). The call id of the stream wins over one in the value.
 */
export function toCallEvent(callId: string, e: EventData): CallEvent | InvalidInput {
  let value: CallEventValue;
  try {
    value = JSON.parse(e.value) as CallEventValue;
  } catch {
    return { invalid: `value of ${e.id} is not JSON` };
  }
  if (!Number.isFinite(e.timestamp)) return { invalid: `${e.id} without a numeric timestamp` };
  switch (e.id) {
    case 'call.started':
      return typeof value?.queue === 'string' && value.queue !== ''
        ? { type: 'call.started', callId, queue: value.queue, ts: e.timestamp }
        : { invalid: 'call.started without a queue' };
    case 'call.answered':
      return typeof value?.agentId === 'string'
        ? { type: 'call.answered', callId, agentId: value.agentId, ts: e.timestamp }
        : { invalid: 'call.answered without an agentId' };
    case 'call.ended':
      return { type: 'call.ended', callId, ts: e.timestamp };
    default:
      return { invalid: `unknown call event "${e.id}"` };
  }
}

export function isInvalid<T extends object>(x: T | InvalidInput): x is InvalidInput {
  return 'invalid' in x;
}

/** Queue properties (metadata kind=queue) as stage 2 needs them; null for other properties (e.g. of a call). */
export function queueProperties(p: StreamPropertiesData): { slaSeconds: number; name: string | null } | null {
  if (p.metadata?.[PropertyKeys.kind] !== 'queue') return null;
  return { slaSeconds: slaSecondsOf(p.metadata), name: p.name ?? null };
}
