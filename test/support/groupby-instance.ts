import {
  type ConsumedMessage,
  decodeRepartition,
  type OutboxRelay,
  RepartitionBoundary,
  type RepartitionMessage,
  repartitionOutbox,
  repartitionState,
  StreamingClient,
  type StreamProcessor,
  type StreamRecord,
  sum,
  type Topology,
  tumbling,
  WindowedAggregation,
  type WindowRow,
  windowState,
} from '@switchboard/streams';
import { testEnv, uniqueName } from './env';
import type { ProcessorTables } from './processor-tables';
import { recordingLogger } from './recording-logger';
import { slowCheckpoints } from './slow-checkpoints';
import { writeWindowRows } from './sum-topology';

/** A reading of the groupBy topology: stage 1 re-keys it by site, stage 2 sums `v` per site and window. */
export type SiteReading = { site: string; v: number };

export interface GroupByInstanceOptions {
  name: string;
  input: string;
  hop: string;
  partitions: number;
  windowMs: number;
  /** Consumer groups of stage 1 (input) and stage 2 (hop). */
  groups: [string, string];
  tables: ProcessorTables;
  /** Lines of the instance's warnings, errors and partition moves, timestamped. */
  log: string[];
  /** Each `restart` event of either stage. */
  restarts: string[];
  /** Added to every checkpoint's transaction (see slowCheckpoints). */
  slowCheckpointMs?: number;
}

/**
 * One instance of an app with a groupBy across a topic hop, as the aggregator's calls pipeline is built: one
 * client, an outbox relay, and two StreamProcessors in the same process — stage 1 (per stream, re-keyed by
 * site through the outbox and the hop topic, time markers to every hop partition) and stage 2 (per site and
 * window, on the minimum of its sources' stream times, grace 0).
 */
export class GroupByInstance {
  readonly client: StreamingClient;
  readonly relay: OutboxRelay;
  readonly stages: [StreamProcessor<never>, StreamProcessor<WindowRow<number>, RepartitionMessage<SiteReading>>];

  constructor(private readonly o: GroupByInstanceOptions) {
    this.client = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: uniqueName(o.name),
      logger: recordingLogger(o.name, o.log),
      defaultPartitions: o.partitions,
    });
    const common = {
      pool: o.tables.pool,
      tablePrefix: o.tables.prefix,
      checkpointIntervalMs: 200,
      sessionTimeoutMs: 6000,
    };
    this.relay = this.client.createOutboxRelay({ pool: o.tables.pool, tablePrefix: o.tables.prefix });
    this.stages = [
      this.client.getStreamProcessor(o.input, {
        ...common,
        consumerGroup: o.groups[0],
        topology: this.slow(this.stage1()),
      }),
      this.client.getStreamProcessor(o.hop, {
        ...common,
        consumerGroup: o.groups[1],
        topology: this.slow(this.stage2()),
        decode: (_p, m) => decodeRepartition<SiteReading>(m.key, m.headers, m.value),
      }),
    ];
    for (const [i, stage] of this.stages.entries()) {
      const name = `${o.name}/${i + 1}`;
      (stage as StreamProcessor<unknown, unknown>)
        .on('restart', (e) => o.restarts.push(`${name}: ${e.reason}`))
        .on('assigned', (e) => o.log.push(`${Date.now() % 100_000} ${name} assigned ${e.partitions.join(',')}`))
        .on('revoked', (e) => o.log.push(`${Date.now() % 100_000} ${name} revoked ${e.partitions.join(',')}`));
    }
  }

  async start(): Promise<void> {
    this.relay.start();
    for (const stage of this.stages) await stage.start();
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private slow<R, M>(topology: Topology<R, M>): Topology<R, M> {
    return this.o.slowCheckpointMs ? slowCheckpoints(topology, this.o.slowCheckpointMs) : topology;
  }

  private stage1(): Topology<never> {
    const emitted: RepartitionMessage<SiteReading>[] = [];
    const boundary = new RepartitionBoundary<SiteReading>({ keyBy: (r) => r.site, sink: emitted, mode: 'replay' });
    return {
      states: [repartitionState('by-site', boundary)],
      process(partition: number, messages: readonly ConsumedMessage[]) {
        const records: StreamRecord<SiteReading>[] = [];
        for (const m of messages) {
          if (m.message.kind !== 'timeseries') continue;
          for (const row of m.message.data.rows())
            records.push({
              key: m.streamId,
              partition,
              timestamp: row.timestamp,
              value: { site: row.string('site') ?? '', v: row.numeric('v') ?? 0 },
            });
        }
        boundary.process(records);
      },
      tick: () => undefined,
      drain: () => ({ results: [], outbox: repartitionOutbox(this.o.hop, this.o.partitions, emitted.splice(0)) }),
      writeResults: async () => undefined,
    };
  }

  private stage2(): Topology<WindowRow<number>, RepartitionMessage<SiteReading>> {
    const rows: WindowRow<number>[] = [];
    const perSite = new WindowedAggregation<SiteReading, number, number>({
      window: tumbling(this.o.windowMs),
      aggregator: sum<SiteReading>((r) => r.v),
      grace: 0,
      inputs: this.o.partitions,
      mode: 'replay',
      sink: rows,
      onLate: (l) => this.o.log.push(`${this.o.name} late ${l.record.key}@${l.record.timestamp}`),
    });
    return {
      states: [windowState('site-sums', perSite)],
      process: (partition, messages) => perSite.processMessages(partition, messages),
      tick: () => undefined,
      drain: () => ({ results: rows.splice(0), outbox: [] }),
      writeResults: (c, results) => writeWindowRows(c, this.o.tables.table, results),
    };
  }
}
