import type { MetricUpdate } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { type CallsHarness, callEvents, callsHarness, closingCalls } from './support/calls-harness';

// Every committed queue_stats_1m change and every move of a queue's waiting gauge reaches metrics.updates through
// the outbox relay, keyed by the row id; per id the versions only grow and the last one is the row in Postgres.
const T0 = Date.UTC(2026, 0, 7, 12, 0, 0);

describe('calls updates on metrics.updates', () => {
  let h: CallsHarness;
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('updates'), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('updates-reader') });
  afterAll(async () => {
    await consumer.disconnect();
    await h?.close();
  });

  it('sends row and gauge updates with growing versions', async () => {
    h = await callsHarness('calls-updates');
    await h.start({ mode: 'replay' });
    const received: { key: string; update: MetricUpdate }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: h.topics.updates, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ key: message.key?.toString() ?? '', update: JSON.parse(message.value?.toString() ?? '{}') });
      },
    });

    // Two calls wait, one is answered, then the other abandons: the gauge goes 1, 2, 1, 0. Each step waits for
    // its update, since a gauge that moves and comes back within one batch has not changed.
    const gaugeId = `${h.tenant}/queue_gauge/sales`;
    const gaugeIs = (row: Record<string, unknown>) =>
      eventually(
        () => expect(received.filter((m) => m.key === gaugeId).at(-1)?.update.row).toMatchObject(row),
        30_000,
        100,
      );
    const since = (ts: number) => new Date(ts).toISOString();
    await h.publish(callEvents({ callId: 'c1', queue: 'sales', start: T0 }));
    await gaugeIs({ waiting: 1, longest_waiting_since: since(T0) });
    await h.publish(callEvents({ callId: 'c2', queue: 'sales', start: T0 + 2_000 }));
    await gaugeIs({ waiting: 2, longest_waiting_since: since(T0) });
    await h.publish([{ type: 'call.answered', callId: 'c1', agentId: 'a1', ts: T0 + 4_000 }]);
    await gaugeIs({ waiting: 1, longest_waiting_since: since(T0 + 2_000) });
    await h.publish([{ type: 'call.ended', callId: 'c2', ts: T0 + 9_000 }]);
    await gaugeIs({ waiting: 0, longest_waiting_since: null, tenant: h.tenant, queue: 'sales' });
    await h.publish(closingCalls(T0 + 5 * 60_000).flatMap(callEvents));

    const rowId = `${h.tenant}/queue_stats_1m/sales/${T0}`;
    await eventually(
      async () => {
        const rows = await h.queueStats();
        const row = rows.get('sales')?.get(T0);
        expect(row?.isFinal).toBe(true);
        const last = received.filter((m) => m.key === rowId).at(-1)?.update;
        expect(last?.version).toBe(row?.version);
        expect(last?.row).toMatchObject({ offered: 2, answered: 1, abandoned: 1, is_final: true, max_wait_ms: 7_000 });
      },
      60_000,
      500,
    );

    const byId = new Map<string, number[]>();
    for (const { key, update } of received) {
      expect(update.id).toBe(key);
      byId.set(key, [...(byId.get(key) ?? []), update.version]);
    }
    for (const versions of byId.values()) {
      const distinct = [...new Set(versions)]; // the relay is at least once: a repeat may come again
      expect(distinct).toEqual([...distinct].sort((a, b) => a - b));
    }
    const gauge = received.filter((m) => m.key === gaugeId).map((m) => m.update);
    expect(gauge[0]).toMatchObject({ kind: 'queue_gauge', tenant: h.tenant, version: 1 });
    expect([...new Set(gauge.map((u) => u.version))]).toEqual([1, 2, 3, 4]);
  }, 120_000);
});
