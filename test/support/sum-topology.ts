import {
  type ConsumedMessage,
  StreamEndType,
  type StreamRecord,
  sum,
  type Topology,
  tumbling,
  WindowedAggregation,
  type WindowRow,
  windowState,
} from '@switchboard/streams';
import type { Pool, PoolClient } from 'pg';

/**
 * A keyed tumbling-window sum of the integer timeseries value `v` per stream, written to a table of its
 * own: the smallest real topology, used by the processor's integration and chaos tests and the bench.
 */
export interface SumTopologyOptions {
  table: string;
  windowMs: number;
  graceMs: number;
  idleMs?: number;
  /** Keep closed windows this long and restate them on late rows (the library's `restateForMs`). */
  restateForMs?: number;
}

/** The sum topology, with its operator's figures for the bench (state size, restatements). */
export interface SumTopology extends Topology<WindowRow<number>> {
  figures(): { stateBytes: number; closedWindows: number; restatements: number };
}

export async function createSumTable(pool: Pool, table: string): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
    key text NOT NULL, window_start bigint NOT NULL, window_end bigint NOT NULL, total bigint NOT NULL,
    version int NOT NULL, is_final boolean NOT NULL, PRIMARY KEY (key, window_start))`);
}

export function sumTopology(opts: SumTopologyOptions): SumTopology {
  const rows: WindowRow<number>[] = [];
  const op = new WindowedAggregation<number, number, number>({
    window: tumbling(opts.windowMs),
    aggregator: sum(),
    grace: opts.graceMs,
    emit: 'current',
    sink: rows,
    idleMs: opts.idleMs,
    mode: opts.idleMs ? 'live' : 'replay',
    restateForMs: opts.restateForMs,
  });
  return {
    states: [windowState('sum', op)],
    process(partition: number, messages: readonly ConsumedMessage[]) {
      const records: StreamRecord<number>[] = [];
      for (const m of messages) {
        if (m.message.kind === 'timeseries') {
          for (const r of m.message.data.rows())
            records.push({ key: m.streamId, value: r.numeric('v') ?? 0, timestamp: r.timestamp, partition });
        } else if (m.message.kind === 'stream-end' && m.message.endType === StreamEndType.Closed) {
          op.process(records.splice(0));
          op.closeKey(partition, m.streamId);
        }
      }
      op.process(records);
    },
    tick: (now) => void op.tick(now),
    drain: () => ({ results: rows.splice(0), outbox: [] }),
    writeResults: (client: PoolClient, results: WindowRow<number>[]) => writeWindowRows(client, opts.table, results),
    figures() {
      let closedWindows = 0;
      let restatements = 0;
      for (const p of op.assigned()) {
        const st = op.stats(p);
        closedWindows += st.closedWindows;
        restatements += st.restatements;
      }
      return { stateBytes: op.stateBytes, closedWindows, restatements };
    },
  };
}

/** Upserts window rows (the newest version of each in this batch), never over a newer stored version. */
export async function writeWindowRows(client: PoolClient, table: string, results: WindowRow<number>[]): Promise<void> {
  const latest = new Map<string, WindowRow<number>>();
  for (const r of results) {
    const id = `${r.key}\u0000${r.windowStart}`;
    const seen = latest.get(id);
    if (!seen || seen.version < r.version) latest.set(id, r);
  }
  if (latest.size === 0) return;
  const list = [...latest.values()];
  await client.query(
    `INSERT INTO ${table} AS t (key, window_start, window_end, total, version, is_final)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::boolean[])
     ON CONFLICT (key, window_start) DO UPDATE
       SET total = EXCLUDED.total, version = EXCLUDED.version, is_final = EXCLUDED.is_final
       WHERE t.version < EXCLUDED.version`,
    [
      list.map((r) => r.key),
      list.map((r) => r.windowStart),
      list.map((r) => r.windowEnd),
      list.map((r) => r.value),
      list.map((r) => r.version),
      list.map((r) => r.final),
    ],
  );
}
