import { randomBytes } from 'node:crypto';
import { type IngestEvent, parseEvent, toStreamRecord } from '@switchboard/domain';
import {
  createStreamsSchema,
  dropStreamsSchema,
  encode,
  type StreamingClient,
  TimeseriesData,
  type TopicProducer,
} from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { agentsPipeline } from '../../apps/aggregator/src/pipelines/agents/agents-pipeline';
import { alertsPipeline } from '../../apps/aggregator/src/pipelines/alerts/alerts-pipeline';
import { energyPipeline } from '../../apps/aggregator/src/pipelines/energy';
import type { Pipeline, PipelineContext } from '../../apps/aggregator/src/pipelines/pipeline';
import { testEnv, uniqueName } from '../support/env';
import { testClient } from '../support/streams';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A fresh tenant, topics, consumer groups and checkpoint tables per spec: specs never see each other's data. */
export class AggregatorFixture {
  readonly pool = new Pool({ connectionString: testEnv.databaseUrl, max: 6 });
  readonly prefix = `${uniqueName('agg').replaceAll('-', '_')}_`;
  readonly tenant = `t-${randomBytes(5).toString('hex')}`;
  readonly client: StreamingClient = testClient('aggregator');
  readonly topic = uniqueName('t-events');
  readonly updatesTopic = uniqueName('t-updates');
  private producer: TopicProducer | undefined;
  private readonly pipelines: Pipeline[] = [];
  /** Relays and collectors, closed after the pipelines (which may still publish their last checkpoint). */
  private readonly closers: Array<() => Promise<void>> = [];

  async setUp(): Promise<void> {
    await createStreamsSchema(this.pool, this.prefix);
    await this.client.ensureTopics([this.topic, this.updatesTopic]);
    this.producer = await this.client.getTopicProducer(this.topic);
  }

  /** Starts the energy pipeline on this spec's topics (closed by tearDown). */
  startEnergy(overrides: Partial<PipelineContext> = {}): Promise<Pipeline> {
    return this.startPipeline(
      energyPipeline(this.context(overrides), {
        topic: this.topic,
        updatesTopic: this.updatesTopic,
        checkpointIntervalMs: 100,
      }),
    );
  }

  /** Starts the agents pipeline on this spec's topics (closed by tearDown). */
  startAgents(): Promise<Pipeline> {
    return this.startPipeline(
      agentsPipeline(this.context(), { topic: this.topic, updatesTopic: this.updatesTopic, checkpointIntervalMs: 100 }),
    );
  }

  /** Starts the alert rules on this spec's updates topic, writing `alertsTopic` (run startRelay too). */
  startAlerts(alertsTopic: string): Promise<Pipeline> {
    return this.startPipeline(
      alertsPipeline(this.context(), { updatesTopic: this.updatesTopic, alertsTopic, checkpointIntervalMs: 100 }),
    );
  }

  /** Publishes this spec's outbox (update events, dead letters) like the app's relay; stopped by tearDown. */
  startRelay(): void {
    const relay = this.client.createOutboxRelay({ pool: this.pool, tablePrefix: this.prefix, pollIntervalMs: 100 });
    relay.start();
    this.closers.push(() => relay.stop());
  }

  /** Everything published to `topic` from its beginning, as it arrives; stopped by tearDown. */
  async collect(topic: string): Promise<CollectedMessage[]> {
    const collector = await collectTopic(topic);
    this.closers.push(() => collector.stop());
    return collector.messages;
  }

  private async startPipeline(pipeline: Pipeline): Promise<Pipeline> {
    this.pipelines.push(pipeline);
    await pipeline.start();
    return pipeline;
  }

  async tearDown(): Promise<void> {
    for (const p of this.pipelines.splice(0)) await p.close();
    for (const close of this.closers.splice(0)) await close();
    await this.client.close();
    for (const table of [
      'meter_energy_15m',
      'meters',
      'agent_status',
      'data_quality_events',
      'alerts',
      'alert_settings',
    ])
      await this.pool.query(`DELETE FROM ${table} WHERE tenant = $1`, [this.tenant]);
    await dropStreamsSchema(this.pool, this.prefix);
    await this.pool.end();
  }

  context(overrides: Partial<PipelineContext> = {}): PipelineContext {
    return {
      client: this.client,
      pool: this.pool,
      logger: quiet,
      tablePrefix: this.prefix,
      groupPrefix: uniqueName('agg'),
      graceMs: 10_000,
      idleMs: 1_000,
      mode: 'live',
      ...overrides,
    };
  }

  /**
   * Validates events as ingest does (parseEvent, without ingest's time window) and writes them with ingest's
   * routing (toStreamRecord) and the same producer calls as its publisher, to this spec's topic.
   */
  async publish(events: Array<Record<string, unknown>>): Promise<void> {
    const producer = this.producer as TopicProducer;
    for (const raw of events) {
      const parsed = parseEvent(raw);
      if (!parsed.ok) throw new Error(`fixture event refused: ${parsed.error}`);
      const r = toStreamRecord(this.tenant, parsed.event as IngestEvent);
      const stream = producer.getOrCreateStream(r.streamId);
      if (r.kind === 'event') stream.events.addTimestamp(r.timestamp).addValue(r.eventId, r.value).publish();
      else stream.timeseries.buffer.addRow(r.timestamp, r.numbers, r.tags);
      // One message per event, in order: like separate ingest requests.
      await new Promise((res) => setImmediate(res));
    }
    await producer.flush();
  }

  /**
   * Writes register readings of one meter straight onto the topic (bypassing ingest's checks), one message per
   * list, and returns where each message landed: the provenance a dead letter must point at.
   */
  async sendReadings(
    meterId: string,
    messages: Array<Array<[ts: number, energyWh: number]>>,
  ): Promise<Array<{ partition: string; offset: string }>> {
    const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('raw'), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const landed: Array<{ partition: string; offset: string }> = [];
    try {
      for (const rows of messages) {
        const data = new TimeseriesData();
        for (const [ts, wh] of rows) data.setNumeric(data.addRow(ts), 'energyWh', wh);
        const wire = encode(`${this.tenant}/${meterId}`, { kind: 'timeseries', data });
        const [meta] = await producer.send({
          topic: this.topic,
          messages: [{ key: wire.key, headers: wire.headers, value: wire.value }],
        });
        landed.push({ partition: String(meta.partition), offset: String(meta.baseOffset) });
      }
    } finally {
      await producer.disconnect();
    }
    return landed;
  }

  /** The dead-letter records of this spec's input topic, in outbox order (what the relay publishes). */
  async deadLetters(): Promise<Array<{ key: string | null; headers: Record<string, string>; value: string }>> {
    const r = await this.pool.query<{ key: string | null; headers: Record<string, string>; value: Buffer }>(
      `SELECT key, headers, value FROM ${this.prefix}outbox WHERE topic = $1 ORDER BY id`,
      [`${this.topic}.dlq`],
    );
    return r.rows.map((row) => ({ key: row.key, headers: row.headers, value: row.value.toString('utf8') }));
  }
}

export interface EnergyRowValues {
  energy_mwh: number;
  readings: number;
  max_power_w: number | null;
  resets: number;
}

/**
 * PRODUCT.md's energy definition, computed independently of apps/aggregator/src/energy: per meter, readings in
 * ts order (the first received of a ts kept), energy = difference to the previous register in mWh (a negative
 * difference is a reset: the reading's own register), attributed to the 15-minute window of the later reading.
 */
export function expectedEnergy(readings: Array<{ meterId: string; ts: number; energyWh: number; powerW?: number }>) {
  const byMeter = new Map<string, Map<number, { mwh: number; powerW?: number }>>();
  for (const r of readings) {
    const m = byMeter.get(r.meterId) ?? new Map();
    byMeter.set(r.meterId, m);
    if (!m.has(r.ts)) m.set(r.ts, { mwh: Math.round(r.energyWh * 1000), powerW: r.powerW });
  }
  const rows = new Map<string, EnergyRowValues>();
  for (const [meterId, m] of byMeter) {
    let previous: number | undefined;
    for (const ts of [...m.keys()].sort((a, b) => a - b)) {
      const { mwh, powerW } = m.get(ts) as { mwh: number; powerW?: number };
      const id = `${meterId}@${ts - (ts % 900_000)}`;
      const row = rows.get(id) ?? { energy_mwh: 0, readings: 0, max_power_w: null, resets: 0 };
      rows.set(id, row);
      row.readings += 1;
      if (powerW !== undefined) row.max_power_w = Math.max(row.max_power_w ?? powerW, powerW);
      if (previous !== undefined) {
        if (mwh < previous) {
          row.energy_mwh += mwh;
          row.resets += 1;
        } else row.energy_mwh += mwh - previous;
      }
      previous = mwh;
    }
  }
  return rows;
}

/** Every message of a topic from the beginning, collected by a plain kafkajs consumer (any client can read it). */
export interface CollectedMessage {
  key: string | null;
  headers: Record<string, string>;
  value: string;
  partition: number;
  offset: string;
}

export async function collectTopic(topic: string): Promise<{ messages: CollectedMessage[]; stop(): Promise<void> }> {
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('collect'), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('collect') });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      const value = message.value?.toString() ?? '';
      messages.push({ key: message.key?.toString() ?? null, headers, value, partition, offset: message.offset });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}
