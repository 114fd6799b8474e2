import { eventually } from '../support/wait';
import { collectTopic } from './energy-fixtures';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// A call event beyond the restatement horizon (here 1 minute after grace instead of ingest's 7 days) is refused
// whole: a `call_event_beyond_horizon` row in data_quality_events AND a record on `events.calls.dlq` (here: this
// spec's input topic + `.dlq`) whose provenance headers name the input message it came from. The pipeline keeps
// going: a valid call after it is counted. (Within the horizon a late event is counted: the window is restated.)
const T0 = Date.UTC(2026, 0, 8, 9, 0, 0);

describe('a call event beyond the restatement horizon goes to the dead-letter topic', () => {
  let h: CallsHarness;
  let dlq: Awaited<ReturnType<typeof collectTopic>> | undefined;
  let input: Awaited<ReturnType<typeof collectTopic>> | undefined;
  afterAll(async () => {
    await dlq?.stop();
    await input?.stop();
    await h?.close();
  });

  it('records it in data_quality_events and on the DLQ with its source offset, and counts what follows', async () => {
    h = await callsHarness('calls-late-dlq', { restateForMs: 60_000 });
    await h.client.ensureTopics([h.topics.input, `${h.topics.input}.dlq`]);
    dlq = await collectTopic(`${h.topics.input}.dlq`);
    input = await collectTopic(h.topics.input);
    await h.start({ graceMs: 30_000, mode: 'replay' });
    await h.publish(callEvents({ callId: 'ok-1', queue: 'sales', start: T0, answer: T0 + 3_000, end: T0 + 30_000 }));
    // every partition is past 09:00 + grace + the 1-minute horizon
    await h.publish(closingCalls(T0 + 5 * 60_000).flatMap(callEvents));
    await h.publish([{ type: 'call.started', callId: 'late-1', queue: 'sales', ts: T0 + 1_000 }]);
    await h.publish(
      callEvents({ callId: 'after-1', queue: 'sales', start: T0 + 6 * 60_000, end: T0 + 6 * 60_000 + 9_000 }),
    );

    const dead = await eventually(
      () => {
        expect(dlq?.messages).toHaveLength(1);
        return dlq?.messages[0];
      },
      60_000,
      200,
    );
    const source = await eventually(() => {
      const m = input?.messages.find((x) => x.key === `${h.tenant}/late-1`);
      expect(m).toBeDefined();
      return m;
    });
    expect(dead?.key).toBe(`${h.tenant}/late-1`);
    expect(dead?.headers).toMatchObject({
      'sb-dlq-source-topic': h.topics.input,
      'sb-dlq-source-partition': String(source?.partition),
      'sb-dlq-source-offset': source?.offset,
      'sb-dlq-error-type': 'late',
      'sb-dlq-attempt': '1',
    });
    expect(dead?.headers['sb-dlq-error']).toMatch(
      /^call_event_beyond_horizon: call\.started would change a queue window beyond the restatement horizon/,
    );
    expect(JSON.parse(dead?.value ?? '{}')).toMatchObject({
      tenant: h.tenant,
      kind: 'call_event_beyond_horizon',
      entityType: 'call',
      entityId: 'late-1',
      ts: T0 + 1_000,
      detail: { eventType: 'call.started', graceMs: 30_000, restateForMs: 60_000 },
    });

    const dq = await h.pool.query<{ kind: string; entity_id: string }>(
      'SELECT kind, entity_id FROM data_quality_events WHERE tenant = $1',
      [h.tenant],
    );
    expect(dq.rows).toEqual([{ kind: 'call_event_beyond_horizon', entity_id: 'late-1' }]);
    await eventually(
      async () => {
        const sales = [...((await h.queueStats()).get('sales')?.values() ?? [])];
        expect([sales.reduce((n, r) => n + r.offered, 0), sales.reduce((n, r) => n + r.abandoned, 0)]).toEqual([2, 1]);
      },
      30_000,
      200,
    );
  }, 120_000);
});
