import type { MetricUpdate } from '@switchboard/domain';
import { eventually } from '../support/wait';
import { collectTopic } from './energy-fixtures';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// Accepted means counted: a call counted abandoned in a window that is already final gets its call.answered late.
// Both windows it touches are restated on the real broker and Postgres: the 09:00 row gains the answer (in SLA),
// the 09:01 row loses the abandon and gains the talk — each with revision 1, a higher version, restated_at stamped
// by the database, and an update event on the metrics topic that says it is a restatement. Nothing is late.
// (A window is restated once per stage-2 batch that changes it: 09:00 gets one fact, the answer, so revision 1;
// 09:01 gets two, the retracted abandon and the talk, so 1 or 2 depending on how the hop delivered them.)
const T0 = Date.UTC(2026, 0, 8, 9, 0, 0);
const MIN = 60_000;

describe('a late call.answered restates the final windows of its call', () => {
  let h: CallsHarness;
  let updates: Awaited<ReturnType<typeof collectTopic>> | undefined;
  afterAll(async () => {
    await updates?.stop();
    await h?.close();
  });

  it('rewrites both rows with revision 1 and sends restatement updates', async () => {
    h = await callsHarness('calls-late-answer-restates');
    await h.client.ensureTopics([h.topics.updates]);
    updates = await collectTopic(h.topics.updates);
    await h.start({ graceMs: 30_000, mode: 'replay' });
    await h.publish(callEvents({ callId: 'c1', queue: 'sales', start: T0 + 10_000, end: T0 + MIN + 10_000 }));
    await h.publish(closingCalls(T0 + 10 * MIN).flatMap(callEvents)); // 09:00 and 09:01 are final

    const final = await eventually(
      async () => {
        const sales = (await h.queueStats()).get('sales');
        const rows = [sales?.get(T0), sales?.get(T0 + MIN)];
        expect(rows.map((r) => [r?.offered, r?.abandoned, r?.isFinal, r?.revision])).toEqual([
          [1, 0, true, 0],
          [0, 1, true, 0],
        ]);
        return rows.map((r) => r?.version ?? 0);
      },
      60_000,
      200,
    );

    await h.publish([{ type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T0 + 30_000 }]);
    await eventually(
      async () => {
        const sales = (await h.queueStats()).get('sales');
        const [first, second] = [sales?.get(T0), sales?.get(T0 + MIN)];
        expect(first).toMatchObject({ offered: 1, answered: 1, answeredInSla: 1, answeredWaitMsSum: 20_000 });
        expect(first).toMatchObject({ waitMsSum: 20_000, maxWaitMs: 20_000, isFinal: true, revision: 1 });
        expect(second).toMatchObject({ abandoned: 0, waitMsSum: 0, maxWaitMs: null, talkMsSum: 40_000, talkCount: 1 });
        expect(second?.isFinal).toBe(true);
        expect(second?.revision).toBeGreaterThanOrEqual(1);
        expect(first?.version).toBeGreaterThan(final[0]);
        expect(second?.version).toBeGreaterThan(final[1]);
      },
      60_000,
      200,
    );
    const stamped = await h.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM queue_stats_1m WHERE tenant = $1 AND queue = 'sales' AND restated_at IS NOT NULL",
      [h.tenant],
    );
    expect(Number(stamped.rows[0].n)).toBe(2);

    const rows = (await h.queueStats()).get('sales');
    const latest = await eventually(
      () => {
        const sent = (updates?.messages ?? [])
          .map((m) => JSON.parse(m.value) as MetricUpdate)
          .filter((u) => u.kind === 'queue_stats_1m' && u.row.queue === 'sales' && u.restatement === true);
        // the newest restatement of each window is what the table holds
        const newest = new Map<string, MetricUpdate>();
        for (const u of sent) {
          const start = String(u.row.window_start);
          if ((newest.get(start)?.version ?? 0) < u.version) newest.set(start, u);
        }
        const byStart = [...newest.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, u]) => u);
        expect(byStart.map((u) => u.version)).toEqual([rows?.get(T0)?.version, rows?.get(T0 + MIN)?.version]);
        return byStart;
      },
      30_000,
      200,
    );
    expect(
      latest.map((u) => [u.row.window_start, u.row.revision, u.row.is_final, u.row.answered, u.row.abandoned]),
    ).toEqual([
      [new Date(T0).toISOString(), 1, true, 1, 0],
      [new Date(T0 + MIN).toISOString(), rows?.get(T0 + MIN)?.revision, true, 0, 0],
    ]);
    const dq = await h.pool.query('SELECT kind FROM data_quality_events WHERE tenant = $1', [h.tenant]);
    expect(dq.rows).toEqual([]);
  }, 150_000);
});
