import { eventually } from '../support/wait';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// Answers and ends of calls whose start never arrives are data-quality events once stream time has sealed them,
// never metrics; so are events ingest would never write (an unknown type). A start that does arrive late — after
// the orphan was reported, within the restatement horizon — counts the call (its final windows are restated); the
// orphan row stays, as what was true when its window sealed.
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
    // The 11:00 row final first (ok-1 only): published at once, the late start below could reach stage 2 in the same
    // batch as the facts that close the window, and be counted before it is final (right, but no restatement).
    await eventually(
      async () => {
        const first = (await h.queueStats()).get('sales')?.get(T0);
        expect([first?.offered, first?.isFinal, first?.revision]).toEqual([1, true, 0]);
      },
      60_000,
      200,
    );
    // Beyond grace now, within the horizon: the start of orphan-2, in an already final window.
    await h.publish([{ type: 'call.started', callId: 'orphan-2', queue: 'sales', ts: T0 + 1_000 }]);
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
          { kind: 'orphan_call_event', entity_id: 'orphan-1', transition: 'answered' },
          { kind: 'orphan_call_event', entity_id: 'orphan-1', transition: 'ended' },
          { kind: 'orphan_call_event', entity_id: 'orphan-2', transition: 'ended' },
        ]);
      },
      60_000,
      500,
    );
    await eventually(
      async () => {
        const rows = await h.queueStats();
        expect([...rows.keys()].sort()).toEqual(['sales', 'zz-close']);
        const first = rows.get('sales')?.get(T0);
        // ok-1 and the late-started orphan-2 (abandoned after 9 s): the final 11:00 row was restated (once per stage-2
        // batch its two facts reached: 1 or 2)
        expect([first?.offered, first?.answered, first?.abandoned, first?.isFinal]).toEqual([2, 1, 1, true]);
        expect(first?.revision).toBeGreaterThanOrEqual(1);
      },
      30_000,
      200,
    );
  }, 120_000);
});
