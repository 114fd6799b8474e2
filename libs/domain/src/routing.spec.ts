import { parseEvent } from './events';
import { toStreamRecord } from './routing';
import { parseStreamId, streamId } from './topics';

function event(input: object) {
  const r = parseEvent(input);
  if (!r.ok) throw new Error(r.error);
  return r.event;
}

describe('toStreamRecord', () => {
  it('sends call events to the call stream as event data', () => {
    const r = toStreamRecord('acme', event({ type: 'call.started', ts: 5, callId: 'c1', queue: 'sales', id: 'e1' }));
    expect(r).toEqual({
      kind: 'event',
      topic: 'events.calls',
      streamId: 'acme/c1',
      timestamp: 5,
      eventId: 'call.started',
      value: JSON.stringify({ callId: 'c1', queue: 'sales', id: 'e1' }),
    });
  });

  it('sends agent status to the agent stream', () => {
    const r = toStreamRecord('acme', event({ type: 'agent.status', ts: 5, agentId: 'a1', status: 'busy' }));
    expect(r).toMatchObject({ topic: 'events.agents', streamId: 'acme/a1', eventId: 'agent.status' });
  });

  it('sends meter readings as timeseries rows with the event id as a tag', () => {
    const r = toStreamRecord('acme', event({ type: 'meter.reading', ts: 5, meterId: 'm1', energyWh: 10, id: 'r1' }));
    expect(r).toEqual({
      kind: 'timeseries',
      topic: 'events.meters',
      streamId: 'acme/m1',
      timestamp: 5,
      numbers: { energyWh: 10 },
      tags: { eventId: 'r1' },
    });
  });
});

describe('stream ids', () => {
  it('round-trip and refuse anything but tenant/entity', () => {
    expect(parseStreamId(streamId('acme', 'm:1'))).toEqual({ tenant: 'acme', entityId: 'm:1' });
    for (const bad of ['acme', '/m', 'acme/', 'a/b/c']) expect(() => parseStreamId(bad)).toThrow(/is not/);
  });
});
