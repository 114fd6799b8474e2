import type { IngestEvent } from '@switchboard/domain';
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

// A seeded mix of calls in two queues — answered within and over the SLA (20 s, boundary included), abandoned
// short (≤ 5 s, boundary included) and long, talks spanning windows, calls still waiting or talking — produced
// as ingest writes them, out of order within grace and with a duplicate answer. Every queue_stats_1m row must
// equal the computation straight from the call list, and be final once later calls close its window.
const T0 = Date.UTC(2026, 0, 7, 9, 0, 0);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function seededCalls(): CallSpec[] {
  const r = rng(42);
  const calls: CallSpec[] = [];
  for (let i = 0; i < 60; i++) {
    const queue = i % 3 === 0 ? 'support' : 'sales';
    const start = T0 + i * 4_000 + Math.floor(r() * 3_000);
    const kind = i % 6;
    const call: CallSpec = { callId: `c${i}`, queue, start };
    if (kind === 0)
      call.answer = start + 20_000; // at the SLA boundary: in SLA
    else if (kind === 1) call.answer = start + 1_000 + Math.floor(r() * 18_000);
    else if (kind === 2)
      call.answer = start + 20_001 + Math.floor(r() * 60_000); // over SLA
    else if (kind === 3)
      call.end = start + (i % 12 === 3 ? 5_000 : Math.floor(r() * 5_000)); // short abandon
    else if (kind === 4)
      call.end = start + 5_001 + Math.floor(r() * 40_000); // long abandon
    else call.answer = start + 2_000;
    if (call.answer !== undefined && i % 7 !== 0) call.end = call.answer + 10_000 + Math.floor(r() * 150_000);
    calls.push(call);
  }
  return calls;
}

describe('calls → queue_stats_1m', () => {
  let h: CallsHarness;
  afterAll(async () => h?.close());

  it('writes exactly the independently computed rows, final once closed', async () => {
    h = await callsHarness('calls-exact');
    const calls = seededCalls();
    const r = rng(7);
    // Out of order within grace: each event is sent as if up to 20 s late (grace 60 s).
    const events = calls
      .flatMap(callEvents)
      .map((e) => ({ e, at: e.ts + Math.floor(r() * 20_000) }))
      .sort((a, b) => a.at - b.at)
      .map(({ e }) => e);
    const duplicate = events.find((e) => e.type === 'call.answered') as IngestEvent;
    await h.start({ graceMs: 60_000, mode: 'replay' });
    for (let i = 0; i < events.length; i += 10) await h.publish(events.slice(i, i + 10));
    await h.publish([duplicate]); // a retry of an answer: ignored
    const lastTs = Math.max(...calls.flatMap((c) => [c.start, c.answer ?? 0, c.end ?? 0]));
    await h.publish(closingCalls(lastTs + 5 * 60_000).flatMap(callEvents));

    const expected = expectedQueueStats(calls);
    await eventually(
      async () => {
        const rows = await h.queueStats();
        expect(numbersOnly(rows, ['sales', 'support'])).toEqual(expected);
        for (const q of ['sales', 'support'])
          for (const row of rows.get(q)?.values() ?? []) expect(row.isFinal).toBe(true);
      },
      90_000,
      500,
    );
  }, 120_000);
});
