import type { ConsumedMessage, EventData } from '@switchboard/streams';
import { agentsTopology } from './agents-topology';

// An unusable agent status (unknown status, other event id, impossible ts) is an `invalid_agent_status` row and a
// record on `events.agents.dlq` pointing at its message; the valid status of the same message still applies.
const T = Date.UTC(2026, 0, 5, 10, 0, 0);

const events = (offset: string, list: EventData[]): ConsumedMessage => ({
  partition: 1,
  offset,
  streamId: 'acme/a1',
  message: { kind: 'event', events: list },
});
const status = (s: string, timestamp: number): EventData => ({
  id: 'agent.status',
  timestamp,
  value: JSON.stringify({ agentId: 'a1', status: s }),
  tags: {},
});

describe('an invalid agent status goes to the dead-letter topic', () => {
  const t = agentsTopology({ tablePrefix: 'streams_' });
  for (const s of t.states) s.restore(1, undefined);
  t.process(1, [events('8', [status('dancing', T), status('busy', T + 1_000), status('busy', -1)])]);
  const { results, outbox } = t.drain();

  it('writes a row and a dead-letter record per unusable status, and applies the valid one', () => {
    expect(results.map((r) => (r.kind === 'agent' ? r.change.status : r.row.kind))).toEqual([
      'invalid_agent_status',
      'invalid_agent_status',
      'busy',
    ]);
    const dead = outbox.filter((o) => o.topic === 'events.agents.dlq');
    expect(dead.map((d) => [d.key, d.headers?.['sb-dlq-source-offset'], d.headers?.['sb-dlq-error']])).toEqual([
      ['acme/a1', '8', expect.stringMatching(/^invalid_agent_status: value has no status in available, /)],
      ['acme/a1', '8', 'invalid_agent_status: timestamp is not a whole epoch ms in years 0–9999'],
    ]);
    expect(dead[0].headers).toMatchObject({ 'sb-dlq-source-topic': 'events.agents', 'sb-dlq-source-partition': '1' });
    expect(JSON.parse(String(dead[0].value))).toMatchObject({ tenant: 'acme', entityId: 'a1', ts: T });
    expect(t.refused).toEqual({ late: 0, invalid: 2 });
  });
});
