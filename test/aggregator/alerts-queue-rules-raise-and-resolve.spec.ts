import type { IngestEvent, MetricUpdate } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { alertsPipeline } from '../../apps/aggregator/src/pipelines/alerts/alerts-pipeline';
import type { Pipeline } from '../../apps/aggregator/src/pipelines/pipeline';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { type CallSpec, type CallsHarness, callEvents, callsHarness } from './support/calls-harness';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface AlertRow {
  rule: string;
  entity_id: string;
  state: string;
  severity: string;
  threshold: number;
  version: string;
  fired_at: Date;
}

/**
 * The calls' events as a contact centre sends them: in time order, one request per 10 seconds of event time (a
 * request's streams are flushed together, and each call's events span more than the grace).
 */
async function publishInTimeOrder(h: CallsHarness, calls: CallSpec[]): Promise<void> {
  const byTenSeconds = new Map<number, IngestEvent[]>();
  for (const e of calls.flatMap(callEvents)) {
    const slot = Math.floor(Number(e.ts) / 10_000);
    byTenSeconds.set(slot, [...(byTenSeconds.get(slot) ?? []), e]);
  }
  for (const slot of [...byTenSeconds.keys()].sort((a, b) => a - b)) await h.publish(byTenSeconds.get(slot) ?? []);
}

// The real calls pipeline feeds metrics.updates; the alert rules read it, with the tenant's own threshold, and
// raise and resolve alerts in the `alerts` table and on the alerts topic, exactly as the table holds them.
describe('queue alert rules on live metrics', () => {
  let h: CallsHarness;
  let alerts: Pipeline | undefined;
  const alertsTopic = uniqueName('t-alerts');
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('alerts'), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('alerts-reader') });
  const dlqConsumer = kafka.consumer({ groupId: uniqueName('alerts-dlq-reader') });
  const producer = kafka.producer();
  const otherTenant = uniqueName('other');

  afterAll(async () => {
    await alerts?.close();
    await Promise.allSettled([consumer.disconnect(), dlqConsumer.disconnect(), producer.disconnect()]);
    if (h) {
      await h.pool.query('DELETE FROM alerts WHERE tenant = $1', [h.tenant]);
      await h.pool.query('DELETE FROM alert_settings WHERE tenant = ANY($1)', [[h.tenant, otherTenant]]);
      await h.close();
    }
  });

  it("raises below the tenant's service level and over the longest wait, then resolves both", async () => {
    h = await callsHarness('alerts-queues');
    // This tenant wants 95 %; another tenant switched the rule off, which must not affect this one.
    await h.pool.query(
      `INSERT INTO alert_settings (tenant, rule, threshold, enabled) VALUES
         ($1, 'queue_service_level_low', 0.95, true), ($2, 'queue_service_level_low', 0.95, false)`,
      [h.tenant, otherTenant],
    );
    await h.start({ graceMs: 30_000, idleMs: 1_000, mode: 'live' });
    alerts = alertsPipeline(
      {
        client: h.client,
        pool: h.pool,
        logger: quiet,
        tablePrefix: h.prefix,
        groupPrefix: uniqueName('agg'),
        graceMs: 10_000,
        idleMs: 1_000,
        mode: 'live',
      },
      { updatesTopic: h.topics.updates, alertsTopic, checkpointIntervalMs: 200 },
    );
    await alerts.start();
    const received: MetricUpdate[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: alertsTopic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(JSON.parse(String(message.value))) });

    const t0 = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
    const now = t0 + 10 * 60_000;
    // Ten minutes ago: 9 calls answered in 10 s, one after 30 s (SLA 20 s) → 90 %; and one call that still waits.
    const early: CallSpec[] = Array.from({ length: 10 }, (_, i) => ({
      callId: `c${i}`,
      queue: 'sales',
      start: t0 + i * 1_000,
      answer: t0 + i * 1_000 + (i === 9 ? 30_000 : 10_000),
      end: t0 + i * 1_000 + 90_000,
    }));
    await publishInTimeOrder(h, [...early, { callId: 'waiting', queue: 'sales', start: t0 + 5_000 }]);
    // Now: three quick calls (12 of 13 in SLA = 92.3 %) move stream time ten minutes on: the waiting call has
    // waited far longer than 240 s by then.
    const quick = (from: number, n: number): CallSpec[] =>
      Array.from({ length: n }, (_, i) => ({
        callId: `q${from}-${i}`,
        queue: 'sales',
        start: now + from + i * 100,
        answer: now + from + i * 100 + 2_000,
        end: now + from + i * 100 + 30_000,
      }));
    await publishInTimeOrder(h, quick(0, 3));

    const rows = async () =>
      (
        await h.pool.query<AlertRow>(
          'SELECT rule, entity_id, state, severity, threshold, version, fired_at FROM alerts WHERE tenant = $1 ORDER BY rule',
          [h.tenant],
        )
      ).rows;
    await eventually(
      async () =>
        expect(await rows()).toEqual([
          expect.objectContaining({
            rule: 'queue_longest_wait_high',
            entity_id: 'sales',
            state: 'firing',
            severity: 'critical',
          }),
          expect.objectContaining({
            rule: 'queue_service_level_low',
            entity_id: 'sales',
            state: 'firing',
            threshold: 0.95,
          }),
        ]),
      60_000,
      200,
    );

    // An update nobody can read goes to the dead-letter topic with its provenance; the rules keep going.
    await producer.connect();
    await producer.send({ topic: h.topics.updates, messages: [{ key: 'x', value: '{"id": 1' }] });
    await h.client.ensureTopics([`${h.topics.updates}.dlq`]);
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: `${h.topics.updates}.dlq`, fromBeginning: true });
    const dead: Record<string, string>[] = [];
    await dlqConsumer.run({
      eachMessage: async ({ message }) =>
        void dead.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))),
    });

    // 30 more quick calls: 42 of 43 in SLA; the waiting call is answered.
    await publishInTimeOrder(h, quick(10_000, 30));
    await h.publish([{ type: 'call.answered', callId: 'waiting', agentId: 'a-9', ts: now + 50_000 }]);
    await eventually(
      async () =>
        expect((await rows()).map((r) => [r.rule, r.state])).toEqual([
          ['queue_longest_wait_high', 'resolved'],
          ['queue_service_level_low', 'resolved'],
        ]),
      60_000,
      200,
    );
    await eventually(
      () => expect(dead).toEqual([expect.objectContaining({ 'sb-dlq-source-topic': h.topics.updates })]),
      30_000,
      100,
    );

    // The topic carries every version of each alert; the last one is the row in the table.
    const table = await rows();
    await eventually(
      () => {
        for (const row of table) {
          const id = `${h.tenant}/alert/${row.rule}/queue/sales/${row.fired_at.getTime()}`;
          const versions = received.filter((u) => u.id === id).map((u) => u.version);
          expect(versions.at(-1)).toBe(Number(row.version));
          expect(received.filter((u) => u.id === id).at(-1)?.row).toMatchObject({ state: 'resolved', rule: row.rule });
        }
      },
      30_000,
      100,
    );
  }, 120_000);
});
