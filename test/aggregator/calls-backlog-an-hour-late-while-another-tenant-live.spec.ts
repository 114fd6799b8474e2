import type { IngestEvent } from '@switchboard/domain';
import { QUEUE_COLUMNS, recomputeQueueStats } from '../../apps/cli/src/verify/recompute';
import { eventually } from '../support/wait';
import {
  type CallSpec,
  type CallsHarness,
  callEvents,
  callsHarness,
  closingCalls,
  type QueueStatsDbRow,
} from './support/calls-harness';

// A PBX forwards its buffer after a network outage: tenant B's 45 minutes of calls (09:15–10:00) arrive at 10:20,
// 20–65 minutes after they happened, while tenant A is live on the same topic and partitions. Every accepted event
// is counted: the queue_stats_1m rows of both tenants equal the batch recomputation of `switchboard verify`
// (apps/cli/src/verify/recompute.ts) over all their events, and nothing is a data-quality event, late or otherwise.
// And A's clock decides nothing for B: stage 2 closes each tenant on its own time (announced across the hop), so
// B's windows fill while open and become final once — revision 0, no restatement.
const T0 = Date.UTC(2026, 0, 9, 9, 0, 0);
const MIN = 60_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A call every `everyMs` from `from` to `to`: answered (some over the SLA) or abandoned (some short). */
function calls(prefix: string, from: number, to: number, everyMs: number, seed: number): CallSpec[] {
  const r = rng(seed);
  const out: CallSpec[] = [];
  for (let t = from, i = 0; t < to; t += everyMs, i++) {
    const start = t + Math.floor(r() * (everyMs / 2));
    const call: CallSpec = { callId: `${prefix}${i}`, queue: i % 3 === 0 ? 'support' : 'sales', start };
    if (i % 4 === 3) call.end = start + Math.floor(r() * 40_000);
    else {
      call.answer = start + Math.floor(r() * 45_000);
      call.end = call.answer + 5_000 + Math.floor(r() * 240_000);
    }
    out.push(call);
  }
  return out;
}

/** Events in time order, sent as ingest writes them (about as a PBX sends them: each when it happens). */
function timeline(list: readonly CallSpec[]): IngestEvent[] {
  return list.flatMap(callEvents).sort((a, b) => a.ts - b.ts);
}

function asRecomputed(rows: Map<string, Map<number, QueueStatsDbRow>>): Map<string, string> {
  const out = new Map<string, string>();
  const sqlName: Record<(typeof QUEUE_COLUMNS)[number], keyof QueueStatsDbRow> = {
    offered: 'offered',
    answered: 'answered',
    abandoned: 'abandoned',
    answered_in_sla: 'answeredInSla',
    abandoned_short: 'abandonedShort',
    answered_wait_ms_sum: 'answeredWaitMsSum',
    wait_ms_sum: 'waitMsSum',
    max_wait_ms: 'maxWaitMs',
    talk_ms_sum: 'talkMsSum',
    talk_count: 'talkCount',
  };
  for (const [queue, windows] of rows)
    for (const [ws, row] of windows)
      out.set(`${queue}@${ws}`, QUEUE_COLUMNS.map((c) => row[sqlName[c]] ?? 0).join('|'));
  return out;
}

describe('a tenant’s call backlog forwarded an hour late while another tenant is live', () => {
  let h: CallsHarness;
  afterAll(async () => h?.close());

  it('counts every accepted event of both tenants exactly, with nothing late and nothing of B restated', async () => {
    h = await callsHarness('calls-backlog-late');
    await h.start({ graceMs: 60_000, mode: 'replay' });
    const liveA = timeline(calls('a', T0, T0 + 90 * MIN, 30_000, 1));
    const backlogB = timeline(calls('b', T0 + 15 * MIN, T0 + 60 * MIN, 20_000, 2));
    const forwardedAt = T0 + 80 * MIN; // B's buffer arrives when A's live traffic is at 10:20
    // Requests of up to 25 events covering at most 30 s of event time (README, troubleshooting: ingest packs an
    // entity's events of one request into one message, so a request spanning more than the grace across a tenant's
    // calls can put earlier events behind the tenant's own later ones).
    const send = async (events: IngestEvent[], tenant: string) => {
      for (let i = 0; i < events.length; ) {
        let j = i + 1;
        while (j < events.length && j - i < 25 && events[j].ts - events[i].ts <= 30_000) j++;
        await h.publish(events.slice(i, j), tenant);
        i = j;
      }
    };
    await send(
      liveA.filter((e) => e.ts < forwardedAt),
      h.tenant,
    );
    await send(backlogB, h.otherTenant);
    await send(
      liveA.filter((e) => e.ts >= forwardedAt),
      h.tenant,
    );
    // both tenants go on live later: in a replay nothing idles, so a tenant's own later events close its windows
    const closing = closingCalls(T0 + 120 * MIN).flatMap(callEvents);
    await h.publish(closing, h.tenant);
    await h.publish(closing, h.otherTenant);

    const expectedA = recomputeQueueStats([...liveA, ...closing]);
    const expectedB = recomputeQueueStats([...backlogB, ...closing]);
    expect(expectedB.size).toBeGreaterThan(40);
    await eventually(
      async () => {
        const [a, b] = await Promise.all([h.queueStats(h.tenant), h.queueStats(h.otherTenant)]);
        expect(asRecomputed(b)).toEqual(expectedB);
        expect(asRecomputed(a)).toEqual(expectedA);
        // every window of the backlog is final, closed on B's own time: filled while open, never restated
        const notFinal: string[] = [];
        const restated: string[] = [];
        for (const [queue, windows] of b) {
          if (queue === 'zz-close') continue;
          for (const [ws, row] of windows) {
            const at = `${queue}@${new Date(ws).toISOString()}`;
            if (!row.isFinal) notFinal.push(at);
            if (row.revision !== 0) restated.push(`${at} r${row.revision}`);
          }
        }
        expect({ notFinal, restated }).toEqual({ notFinal: [], restated: [] });
      },
      120_000,
      500,
    );
    const dq = await h.pool.query<{ tenant: string; kind: string }>(
      'SELECT tenant, kind FROM data_quality_events WHERE tenant = ANY($1)',
      [[h.tenant, h.otherTenant]],
    );
    expect(dq.rows).toEqual([]);
  }, 240_000);
});
