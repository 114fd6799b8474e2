import { eventually } from '../support/wait';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// Answers and ends of calls whose start never arrives are data-quality events once stream time has sealed them,
// never metrics; so are events beyond grace and events ingest would never write (an unknown type).
const T0 = Date.UTC(2026, 0, 7, 11, 0, 0);

describe('orphan call events', () => {
  let h: CallsHarness;
  afterAll(async () => h?.close());

  it('become data_quality_events and no queue rows', async () => {
    h = await callsHarness('calls-orphans');
    await h.start({ graceMs: 30_000, mode: 'replay' });
    await h.publish([
      { type: 'call.answered', callId: 'orphan-1', agentId: 'a1', ts: T0 + 5_000 },
      { type: 'call.ended', callId: 'orphan-1', ts: T0 + 60_000 },
      { type: 'call.ended', callId: 'orphan-2', ts: T0 + 10_000 },
      ...callEvents({ callId: 'ok-1', queue: 'sales', start: T0, answer: T0 + 3_000, end: T0 + 30_000 }),
    ]);
    await h.publish(closingCalls(T0 + 5 * 60_000).flatMap(callEvents));
    // Beyond grace now: the start of a call in an already final window.
    await h.publish([{ type: 'call.started', callId: 'late-1', queue: 'sales', ts: T0 + 1_000 }]);
    // An event type ingest never writes.
    const producer = await h.client.getTopicProducer(h.topics.input);
    producer
      .getOrCreateStream(`${h.tenant}/weird-1`)
      .events.addTimestamp(T0 + 2_000)
      .addValue('call.transferred', '{}')
      .publish();
    await producer.flush();

    await eventually(
      async () => {
        const r = await h.pool.query<{ kind: string; entity_id: string; transition: string | null }>(
          `SELECT kind, entity_id, detail ->> 'transition' AS transition FROM data_quality_events
           WHERE tenant = $1 ORDER BY kind, entity_id, transition`,
          [h.tenant],
        );
        expect(r.rows).toEqual([
          { kind: 'invalid_call_event', entity_id: 'weird-1', transition: null },
          { kind: 'late_call_event', entity_id: 'late-1', transition: null },
          { kind: 'orphan_call_event', entity_id: 'orphan-1', transition: 'answered' },
          { kind: 'orphan_call_event', entity_id: 'orphan-1', transition: 'ended' },
          { kind: 'orphan_call_event', entity_id: 'orphan-2', transition: 'ended' },
        ]);
      },
      60_000,
      500,
    );
    const rows = await h.queueStats();
    expect([...rows.keys()].sort()).toEqual(['sales', 'zz-close']);
    const sales = [...(rows.get('sales')?.values() ?? [])];
    expect(sales.reduce((n, r) => n + r.offered, 0)).toBe(1); // the late start changed nothing
  }, 120_000);
});
