import { settleCall } from './call-tracker';
import { replayCalls } from './spec-replay';

// Events of a call whose start never arrives produce no metric; once stream time seals them they are reported as
// data-quality items and the call's state can be dropped.
const T = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('orphan call events are data quality, not metrics', () => {
  const replay = replayCalls([
    { type: 'call.answered', callId: 'ghost', agentId: 'a1', ts: T + 5_000 },
    { type: 'call.ended', callId: 'ghost', ts: T + 65_000 },
  ]);
  const record = replay.records.get('ghost');
  if (!record) throw new Error('the replay lost the call');

  it('counts nothing in any queue', () => {
    expect(replay.queues.size).toBe(0);
    expect(replay.updates.every((u) => u.change.add.length === 0 && u.change.retract.length === 0)).toBe(true);
  });

  it('waits while the start could still arrive within grace', () => {
    expect(settleCall(record, T + 60_000)).toEqual({ settled: false, dataQuality: [] });
  });

  it('reports each orphan transition once its window is sealed', () => {
    expect(settleCall(record, T + 120_000)).toEqual({
      settled: true,
      dataQuality: [
        {
          kind: 'orphan_call_event',
          entityType: 'call',
          entityId: 'ghost',
          eventTs: T + 5_000,
          detail: { transition: 'answered', reason: 'call.started never arrived', agentId: 'a1' },
        },
        {
          kind: 'orphan_call_event',
          entityType: 'call',
          entityId: 'ghost',
          eventTs: T + 65_000,
          detail: { transition: 'ended', reason: 'call.started never arrived' },
        },
      ],
    });
  });

  it('a start that does arrive in time turns the same events into metrics', () => {
    const late = replayCalls([
      { type: 'call.answered', callId: 'ghost', agentId: 'a1', ts: T + 5_000 },
      { type: 'call.ended', callId: 'ghost', ts: T + 65_000 },
      { type: 'call.started', callId: 'ghost', queue: 'sales', ts: T },
    ]);
    expect(late.rows('sales').map((r) => [r.offered, r.answered, r.talkCount])).toEqual([
      [1, 1, 0],
      [0, 0, 1],
    ]);
  });
});
