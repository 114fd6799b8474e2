import type { MetricUpdate } from '@switchboard/domain';
import { eventually } from '../support/wait';
import { collectTopic } from './energy-fixtures';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// A started call whose end never comes expires when stream time reaches start + the maximum call age (here 10
// minutes): it leaves the queue's waiting gauge, is a `call_expired` row, and adds no abandon. Its end arriving
// after that is an orphan, not an abandon.
const T0 = Date.UTC(2026, 0, 9, 8, 0, 0);
const MIN = 60_000;

describe('a call without an end expires after the maximum call age', () => {
  let h: CallsHarness;
  let updates: Awaited<ReturnType<typeof collectTopic>> | undefined;
  afterAll(async () => {
    await updates?.stop();
    await h?.close();
  });

  it('leaves the gauge and becomes call_expired; its late end is an orphan', async () => {
    h = await callsHarness('calls-expire', { maxCallAgeMs: 10 * MIN });
    await h.client.ensureTopics([h.topics.updates]);
    updates = await collectTopic(h.topics.updates);
    await h.start({ graceMs: 30_000, mode: 'replay' });
    const gaugeId = `${h.tenant}/queue_gauge/sales`;
    const gauge = () =>
      (updates?.messages ?? [])
        .filter((m) => m.key === gaugeId)
        .map((m) => JSON.parse(m.value) as MetricUpdate)
        .reduce<MetricUpdate | undefined>((a, u) => (!a || u.version > a.version ? u : a), undefined)?.row;

    await h.publish([
      ...callEvents({ callId: 'stuck', queue: 'sales', start: T0 }),
      ...callEvents({ callId: 'talk', queue: 'sales', start: T0 + 1_000, answer: T0 + 3_000 }),
      ...callEvents({ callId: 'ok', queue: 'sales', start: T0 + 2_000, end: T0 + 20_000 }),
    ]);
    await eventually(
      () => expect(gauge()).toMatchObject({ waiting: 1, longest_waiting_since: new Date(T0).toISOString() }),
      30_000,
      200,
    );

    await h.publish(closingCalls(T0 + 11 * MIN).flatMap(callEvents)); // past start + 10 min on every partition
    await h.publish([{ type: 'call.ended', callId: 'stuck', ts: T0 + 11 * MIN + 10_000 }]); // within grace, too old a call
    await h.publish(closingCalls(T0 + 14 * MIN, 16, 'zz-again').flatMap(callEvents)); // seals the end's window

    await eventually(
      async () => {
        const r = await h.pool.query<{ kind: string; entity_id: string; transition: string | null }>(
          `SELECT kind, entity_id, detail ->> 'transition' AS transition FROM data_quality_events
           WHERE tenant = $1 ORDER BY kind, entity_id`,
          [h.tenant],
        );
        expect(r.rows).toEqual([
          { kind: 'call_expired', entity_id: 'stuck', transition: null },
          { kind: 'call_expired', entity_id: 'talk', transition: null },
          { kind: 'orphan_call_event', entity_id: 'stuck', transition: 'ended' },
        ]);
      },
      60_000,
      500,
    );
    await eventually(() => expect(gauge()).toMatchObject({ waiting: 0, longest_waiting_since: null }), 30_000, 200);
    const sales = [...((await h.queueStats()).get('sales')?.values() ?? [])];
    const sum = (f: (r: (typeof sales)[number]) => number) => sales.reduce((n, r) => n + f(r), 0);
    expect([sum((r) => r.offered), sum((r) => r.answered), sum((r) => r.abandoned), sum((r) => r.talkCount)]).toEqual([
      3, 1, 1, 0,
    ]);
  }, 120_000);
});
