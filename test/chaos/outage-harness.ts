import type { OutboxRecord, StreamProcessor, TopicProducer, Topology, WindowRow } from '@switchboard/streams';
import type { Pool } from 'pg';
import { sumTopology } from '../support/sum-topology';

// What the outage specs share: a steady keyed input with its batch result, the sum topology that also puts an
// update record per result row into the outbox, and a record of what the processor went through.

export const WINDOW_MS = 60_000;
const STREAMS = 20;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Publishes rows in bursts (50 rows every ~50 ms) while `running()` and sums them per key and window. */
export class SteadyInput {
  readonly expected = new Map<string, number>();
  private i = 0;

  constructor(private readonly producer: TopicProducer) {}

  get published(): number {
    return this.i;
  }

  /** One burst: published and acknowledged, then a short pause. */
  async burst(rows = 50): Promise<void> {
    for (let k = 0; k < rows; k++, this.i++) {
      const key = `m-${this.i % STREAMS}`;
      const ts = T0 + Math.floor(this.i / STREAMS) * 1000;
      const v = 1 + (this.i % 7);
      this.producer.getOrCreateStream(key).timeseries.buffer.addTimestamp(ts).addValue('v', v).publish();
      const id = `${key}@${ts - (ts % WINDOW_MS)}`;
      this.expected.set(id, (this.expected.get(id) ?? 0) + v);
    }
    await this.producer.flush();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The sum topology (every event time within grace, so the batch result is a plain sum), whose every checkpoint
 * also writes one update record per result row to the outbox, for the relay to publish.
 */
export function sumWithUpdates(table: string, updatesTopic: string): Topology<WindowRow<number>> {
  const topology = sumTopology({ table, windowMs: WINDOW_MS, graceMs: 3_600_000 });
  const drain = topology.drain.bind(topology);
  topology.drain = () => {
    const { results } = drain();
    const outbox: OutboxRecord[] = results.map((r) => ({
      topic: updatesTopic,
      key: r.key,
      headers: { version: String(r.version), window: String(r.windowStart) },
      value: Buffer.from(String(r.value)),
    }));
    return { results, outbox };
  };
  return topology;
}

/** The outbox table: rows written and rows not yet marked sent. */
export async function outboxRows(pool: Pool, prefix: string): Promise<{ rows: number; unsent: number }> {
  const r = await pool.query<{ rows: string; unsent: string }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE sent_at IS NULL) AS unsent FROM ${prefix}outbox`,
  );
  return { rows: Number(r.rows[0].rows), unsent: Number(r.rows[0].unsent) };
}

/** The processor's restarts, pauses and resumes with their times, and checkpoints as a count per time. */
export class ProcessorEvents {
  readonly restarts: string[] = [];
  readonly pauses: { at: number; reason: string }[] = [];
  readonly resumes: { at: number; outageMs: number }[] = [];
  readonly checkpoints: number[] = [];

  constructor(processor: StreamProcessor<unknown>) {
    processor.on('restart', (e) => this.restarts.push(e.reason));
    processor.on('paused', (e) => this.pauses.push({ at: Date.now(), reason: e.reason }));
    processor.on('resumed', (e) => this.resumes.push({ at: Date.now(), outageMs: e.outageMs }));
    processor.on('checkpoint', () => this.checkpoints.push(Date.now()));
  }

  checkpointsBetween(from: number, to: number): number {
    return this.checkpoints.filter((t) => t >= from && t < to).length;
  }
}
