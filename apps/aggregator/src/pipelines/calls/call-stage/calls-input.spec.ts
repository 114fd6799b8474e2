import { queueMetadata, toStreamRecord } from '@switchboard/domain';
import { queuesOfWaitingChange } from '../calls-hop';
import { queueProperties, toCallEvent } from './calls-input';

// The stage-1 reader must understand exactly what ingest writes (libs/domain routing), and nothing else.
const asEventData = (r: ReturnType<typeof toStreamRecord>) => {
  if (r.kind !== 'event') throw new Error('not an event');
  return { timestamp: r.timestamp, id: r.eventId, value: r.value, tags: {} };
};

describe('calls input', () => {
  it('reads the call events ingest writes', () => {
    const started = toStreamRecord('t1', { type: 'call.started', callId: 'c1', queue: 'sales', ts: 1_000 });
    const answered = toStreamRecord('t1', { type: 'call.answered', callId: 'c1', agentId: 'a1', ts: 2_000 });
    const ended = toStreamRecord('t1', { type: 'call.ended', callId: 'c1', ts: 3_000 });
    expect(toCallEvent('c1', asEventData(started))).toEqual({
      type: 'call.started',
      callId: 'c1',
      queue: 'sales',
      ts: 1_000,
    });
    expect(toCallEvent('c1', asEventData(answered))).toEqual({
      type: 'call.answered',
      callId: 'c1',
      agentId: 'a1',
      ts: 2_000,
    });
    expect(toCallEvent('c1', asEventData(ended))).toEqual({ type: 'call.ended', callId: 'c1', ts: 3_000 });
  });

  it('names what is wrong with anything else', () => {
    expect(toCallEvent('c1', { timestamp: 1, id: 'call.transferred', value: '{}', tags: {} })).toEqual({
      invalid: 'unknown call event "call.transferred"',
    });
    expect(toCallEvent('c1', { timestamp: 1, id: 'call.started', value: '{"callId":"c1"}', tags: {} })).toEqual({
      invalid: 'call.started without a queue',
    });
    expect(toCallEvent('c1', { timestamp: 1, id: 'call.ended', value: 'not json', tags: {} })).toEqual({
      invalid: 'value of call.ended is not JSON',
    });
  });

  it('reads queue properties, with the default SLA when unset, and ignores other properties', () => {
    const props = (metadata: Record<string, string>, name: string | null = null) => ({
      name,
      location: null,
      metadata,
      parents: [],
      timeOfRecording: null,
    });
    expect(queueProperties(props(queueMetadata({ slaSeconds: 10 }), 'Support'))).toEqual({
      slaSeconds: 10,
      name: 'Support',
    });
    expect(queueProperties(props(queueMetadata({})))).toEqual({ slaSeconds: 20, name: null });
    expect(queueProperties(props({ kind: 'meter' }))).toBeNull();
  });

  it('sends a waiting change to each queue it names once', () => {
    const w = (queue: string) => ({ callId: 'c1', queue, startTs: 1 });
    expect(queuesOfWaitingChange({ leave: null, enter: w('a') })).toEqual(['a']);
    expect(queuesOfWaitingChange({ leave: w('a'), enter: w('a') })).toEqual(['a']);
    expect(queuesOfWaitingChange({ leave: w('a'), enter: w('b') })).toEqual(['a', 'b']);
  });
});
