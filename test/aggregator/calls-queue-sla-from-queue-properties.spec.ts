import { eventually } from '../support/wait';
import {
  type CallSpec,
  type CallsHarness,
  callEvents,
  callsHarness,
  closingCalls,
  expectedQueueStats,
  numbersOnly,
} from './support/calls-harness';

// PUT /v1/queues/support { slaSeconds: 10 } (a properties message in the queue's stream of events.calls) must
// decide answered_in_sla of that queue; a queue without properties keeps the default 20 s. The queue's stream
// and its calls' streams land on different partitions, so the verdict is taken in the per-queue stage.
const T0 = Date.UTC(2026, 0, 7, 10, 0, 0);

describe('answered_in_sla from queue properties', () => {
  let h: CallsHarness;
  afterAll(async () => h?.close());

  it('uses the queue slaSeconds, boundary included, and records the queue', async () => {
    h = await callsHarness('calls-sla');
    await h.start({ mode: 'replay' });
    await h.setQueueProperties('support', { slaSeconds: 10, name: 'Support' });
    await eventually(async () => {
      const q = await h.pool.query('SELECT name, sla_seconds FROM queues WHERE tenant = $1 AND queue = $2', [
        h.tenant,
        'support',
      ]);
      expect(q.rows).toEqual([{ name: 'Support', sla_seconds: 10 }]);
    });

    const waits = [8_000, 10_000, 12_000, 15_000, 25_000];
    const calls: CallSpec[] = waits.flatMap((w, i) => [
      { callId: `s${i}`, queue: 'support', start: T0 + i * 1_000, answer: T0 + i * 1_000 + w },
      { callId: `o${i}`, queue: 'other', start: T0 + i * 1_000, answer: T0 + i * 1_000 + w },
    ]);
    await h.publish(calls.flatMap(callEvents));
    await h.publish(closingCalls(T0 + 10 * 60_000).flatMap(callEvents));

    const expected = expectedQueueStats(calls, (q) => (q === 'support' ? 10 : 20));
    await eventually(
      async () => {
        const rows = await h.queueStats();
        expect(numbersOnly(rows, ['support', 'other'])).toEqual(expected);
        expect([...(rows.get('support')?.values() ?? [])].every((r) => r.isFinal)).toBe(true);
      },
      60_000,
      500,
    );
    const inSla = (q: string) => [...(expected.get(q)?.values() ?? [])].reduce((n, r) => n + r.answeredInSla, 0);
    expect([inSla('support'), inSla('other')]).toEqual([2, 4]);
  }, 120_000);
});
