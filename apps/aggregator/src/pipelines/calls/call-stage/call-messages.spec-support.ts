import type { ConsumedMessage } from '@switchboard/streams';

// Test support for the calls-stage specs: consumed events.calls messages, one event each, offsets counting up.
let offset = 0;

/** One call event of `<tenant>/<callId>` on partition 0, as the consumer loop hands it over. */
export function callMessage(
  tenant: string,
  callId: string,
  type: string,
  ts: number,
  value: object = {},
): ConsumedMessage {
  return {
    partition: 0,
    offset: String(offset++),
    streamId: `${tenant}/${callId}`,
    message: { kind: 'event', events: [{ id: type, timestamp: ts, value: JSON.stringify(value), tags: {} }] },
  };
}

/** A queue's properties message (`slaSeconds`) of `<tenant>/<queue>` on partition 0. */
export function queuePropertiesMessage(tenant: string, queue: string, slaSeconds: number): ConsumedMessage {
  return {
    partition: 0,
    offset: String(offset++),
    streamId: `${tenant}/${queue}`,
    message: {
      kind: 'properties',
      properties: {
        name: queue,
        location: null,
        metadata: { kind: 'queue', slaSeconds: String(slaSeconds) },
        parents: [],
        timeOfRecording: null,
      },
    } as unknown as ConsumedMessage['message'],
  };
}
