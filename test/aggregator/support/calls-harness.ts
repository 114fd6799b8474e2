import { EMPTY_QUEUE_STATS, type IngestEvent, queueMetadata, streamId, toStreamRecord } from '@switchboard/domain';
import { createStreamsSchema, dropStreamsSchema, type OutboxRelay, type StreamingClient } from '@switchboard/streams';
import { Pool } from 'pg';
import { type CallsPipelineOptions, callsPipeline } from '../../../apps/aggregator/src/pipelines/calls/calls-pipeline';
import type { Pipeline } from '../../../apps/aggregator/src/pipelines/pipeline';
import { testEnv, uniqueName } from '../../support/env';
import { testClient } from '../../support/streams';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface CallsHarness {
  pool: Pool;
  client: StreamingClient;
  tenant: string;
  /** A second tenant on the same topics (and so the same partitions), for scenarios with two tenants. */
  otherTenant: string;
  prefix: string;
  topics: { input: string; hop: string; updates: string };
  /** Publishes events as ingest does (libs/domain routing → event data of the call's stream), one request. */
  publish(events: IngestEvent[], tenant?: string): Promise<void>;
  /** PUT /v1/queues/{queue} as ingest does it: a properties message in the queue's stream of the calls topic. */
  setQueueProperties(queue: string, props: { slaSeconds?: number; name?: string }): Promise<void>;
  start(options?: Partial<{ graceMs: number; idleMs: number; mode: 'live' | 'replay' }>): Promise<void>;
  /** queue → window start ms → row (numbers as numbers), of `tenant` (default the harness's). */
  queueStats(tenant?: string): Promise<Map<string, Map<number, QueueStatsDbRow>>>;
  close(): Promise<void>;
}

export interface QueueStatsDbRow {
  offered: number;
  answered: number;
  abandoned: number;
  answeredInSla: number;
  abandonedShort: number;
  answeredWaitMsSum: number;
  waitMsSum: number;
  maxWaitMs: number | null;
  talkMsSum: number;
  talkCount: number;
  isFinal: boolean;
  version: number;
  revision: number;
}

/** A calls pipeline on fresh topics, groups and checkpoint tables, writing the real contract tables for a random tenant. */
export async function callsHarness(name: string, options: CallsPipelineOptions = {}): Promise<CallsHarness> {
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 8 });
  const missing = await pool.query<{ t: string | null }>("SELECT to_regclass('queue_stats_1m')::text AS t");
  if (missing.rows[0].t === null) throw new Error('contract tables are missing: run `npm run migrate`');
  const prefix = `${uniqueName('c').replaceAll('-', '_')}_`;
  await createStreamsSchema(pool, prefix);
  const client = testClient(name);
  const tenant = uniqueName('t');
  const otherTenant = uniqueName('t');
  const topics = { input: uniqueName('t-calls'), hop: uniqueName('t-by-queue'), updates: uniqueName('t-updates') };
  let pipeline: Pipeline | undefined;
  let relay: OutboxRelay | undefined;

  return {
    pool,
    client,
    tenant,
    otherTenant,
    prefix,
    topics,
    async publish(events, as = tenant) {
      const producer = await client.getTopicProducer(topics.input);
      for (const e of events) {
        const r = toStreamRecord(as, e);
        if (r.kind !== 'event') throw new Error('not a call event');
        producer.getOrCreateStream(r.streamId).events.addTimestamp(r.timestamp).addValue(r.eventId, r.value).publish();
      }
      await producer.flush();
    },
    async setQueueProperties(queue, props) {
      const producer = await client.getTopicProducer(topics.input);
      const stream = producer.getOrCreateStream(streamId(tenant, queue));
      stream.properties.name = props.name ?? null;
      for (const [k, v] of Object.entries(queueMetadata(props))) stream.properties.metadata.set(k, v);
      await stream.flush();
    },
    async start(o = {}) {
      relay = client.createOutboxRelay({ pool, tablePrefix: prefix, pollIntervalMs: 200 });
      relay.start();
      pipeline = callsPipeline(
        {
          client,
          pool,
          logger: quiet,
          tablePrefix: prefix,
          groupPrefix: uniqueName('agg'),
          graceMs: o.graceMs ?? 60_000,
          idleMs: o.idleMs ?? 5_000,
          mode: o.mode ?? 'replay',
        },
        {
          inputTopic: topics.input,
          repartitionTopic: topics.hop,
          updatesTopic: topics.updates,
          checkpointIntervalMs: 200,
          ...options,
        },
      );
      await pipeline.start();
    },
    async queueStats(of = tenant) {
      const r = await pool.query(
        `SELECT queue, (extract(epoch FROM window_start) * 1000)::bigint AS ws, offered, answered, abandoned,
           answered_in_sla, abandoned_short, answered_wait_ms_sum, wait_ms_sum, max_wait_ms, talk_ms_sum, talk_count,
           is_final, version, revision
         FROM queue_stats_1m WHERE tenant = $1`,
        [of],
      );
      const out = new Map<string, Map<number, QueueStatsDbRow>>();
      for (const row of r.rows) {
        let q = out.get(row.queue);
        if (!q) {
          q = new Map();
          out.set(row.queue, q);
        }
        q.set(Number(row.ws), {
          offered: Number(row.offered),
          answered: Number(row.answered),
          abandoned: Number(row.abandoned),
          answeredInSla: Number(row.answered_in_sla),
          abandonedShort: Number(row.abandoned_short),
          answeredWaitMsSum: Number(row.answered_wait_ms_sum),
          waitMsSum: Number(row.wait_ms_sum),
          maxWaitMs: row.max_wait_ms === null ? null : Number(row.max_wait_ms),
          talkMsSum: Number(row.talk_ms_sum),
          talkCount: Number(row.talk_count),
          isFinal: row.is_final,
          version: Number(row.version),
          revision: Number(row.revision),
        });
      }
      return out;
    },
    async close() {
      await pipeline?.close();
      await relay?.stop();
      await client.close();
      for (const table of ['queue_stats_1m', 'queues', 'data_quality_events'])
        await pool.query(`DELETE FROM ${table} WHERE tenant = ANY($1)`, [[tenant, otherTenant]]);
      await dropStreamsSchema(pool, prefix);
      await pool.end();
    },
  };
}

/** An independent computation of queue_stats_1m from a list of calls (PRODUCT.md, "Metric definitions"). */
export interface CallSpec {
  callId: string;
  queue: string;
  start: number;
  answer?: number;
  end?: number;
}

export function expectedQueueStats(
  calls: readonly CallSpec[],
  slaSecondsOf: (queue: string) => number = () => 20,
): Map<string, Map<number, QueueStatsNumbers>> {
  const out = new Map<string, Map<number, QueueStatsNumbers>>();
  const cell = (queue: string, ts: number) => {
    const ws = Math.floor(ts / 60_000) * 60_000;
    let q = out.get(queue);
    if (!q) {
      q = new Map();
      out.set(queue, q);
    }
    let c = q.get(ws);
    if (!c) {
      c = { ...EMPTY_QUEUE_STATS };
      q.set(ws, c);
    }
    return c;
  };
  for (const call of calls) {
    cell(call.queue, call.start).offered++;
    if (call.answer !== undefined) {
      const wait = call.answer - call.start;
      const c = cell(call.queue, call.answer);
      c.answered++;
      if (wait <= slaSecondsOf(call.queue) * 1000) c.answeredInSla++;
      c.answeredWaitMsSum += wait;
      c.waitMsSum += wait;
      c.maxWaitMs = Math.max(c.maxWaitMs ?? 0, wait);
      if (call.end !== undefined) {
        const t = cell(call.queue, call.end);
        t.talkMsSum += call.end - call.answer;
        t.talkCount++;
      }
    } else if (call.end !== undefined) {
      const wait = call.end - call.start;
      const c = cell(call.queue, call.end);
      c.abandoned++;
      if (wait <= 5_000) c.abandonedShort++;
      c.waitMsSum += wait;
      c.maxWaitMs = Math.max(c.maxWaitMs ?? 0, wait);
    }
  }
  return out;
}

/** The events of calls, as integrators send them. */
export function callEvents(call: CallSpec): IngestEvent[] {
  const events: IngestEvent[] = [{ type: 'call.started', callId: call.callId, queue: call.queue, ts: call.start }];
  if (call.answer !== undefined)
    events.push({ type: 'call.answered', callId: call.callId, agentId: `a-${call.callId}`, ts: call.answer });
  if (call.end !== undefined) events.push({ type: 'call.ended', callId: call.callId, ts: call.end });
  return events;
}

/**
 * Calls in a queue of their own, far enough ahead to close every window before `after` (replay mode). Pass another
 * `prefix` to advance time a second time (the same call ids again would be conflicting starts).
 */
export function closingCalls(after: number, n = 16, prefix = 'zz-close'): CallSpec[] {
  return Array.from({ length: n }, (_, i) => ({ callId: `${prefix}-${i}`, queue: 'zz-close', start: after + i }));
}

/** A row's metric columns only. */
export type QueueStatsNumbers = Omit<QueueStatsDbRow, 'isFinal' | 'version' | 'revision'>;

/** Strips isFinal/version/revision for comparisons with expectedQueueStats. */
export function numbersOnly(rows: Map<string, Map<number, QueueStatsDbRow>>, queues: readonly string[]) {
  const out = new Map<string, Map<number, QueueStatsNumbers>>();
  for (const q of queues) {
    const m = new Map<number, QueueStatsNumbers>();
    for (const [ws, { isFinal: _f, version: _v, revision: _r, ...rest }] of rows.get(q) ?? []) m.set(ws, rest);
    out.set(q, m);
  }
  return out;
}
