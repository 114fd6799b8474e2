import {
  type ConsumedMessage,
  decodeRepartition,
  RepartitionBoundary,
  type RepartitionMessage,
  repartitionOutbox,
  repartitionState,
  type StreamingClient,
  type StreamRecord,
  sum,
  type Topology,
  tumbling,
  WindowedAggregation,
  type WindowRow,
  windowState,
} from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { ProcessorTables } from '../support/processor-tables';
import { testClient } from '../support/streams';
import { writeWindowRows } from '../support/sum-topology';
import { eventually } from '../support/wait';

// An hour of history is produced while nothing runs. Then stage 1 (per meter) re-keys readings by site
// through a repartition topic (outbox + relay, sequence numbers, time markers to every partition) and
// stage 2 sums per site and minute — with grace 0. Stage 2 runs on the minimum of its sources' stream
// times, so however unevenly the two source partitions catch up, nothing is late and every total equals
// the batch computation.
type Reading = { site: string; v: number };
const WINDOW = 60_000;
const T0 = Date.UTC(2026, 0, 7, 9, 0, 0);

describe('backlog across a groupBy', () => {
  const tables = new ProcessorTables();
  const { pool, prefix, table } = tables;
  let client: StreamingClient;

  beforeAll(() => tables.setUp());
  afterAll(async () => {
    await client?.close();
    await tables.tearDown();
  });

  it('gives exactly the batch result, with no late records', async () => {
    client = testClient('backlog');
    const input = uniqueName('t-readings');
    const bySite = uniqueName('t-by-site');
    await client.ensureTopics([input, bySite]);

    // One hour: 18 meters over 3 sites, a reading every 15 s each.
    const expected = new Map<string, number>();
    const producer = await client.getTopicProducer(input);
    for (let t = T0; t < T0 + 3_600_000; t += 15_000) {
      for (let m = 0; m < 18; m++) {
        const site = `site-${m % 3}`;
        const v = ((t / 15_000 + m) % 7) + 1;
        producer
          .getOrCreateStream(`meter-${m}`)
          .timeseries.buffer.addTimestamp(t)
          .addValue('site', site)
          .addValue('v', v)
          .publish();
        const id = `${site}@${t - (t % WINDOW)}`;
        expected.set(id, (expected.get(id) ?? 0) + v);
      }
      // Let this step's rows leave before the next step's, as a live source would: each partition of the
      // input is then in event-time order.
      await new Promise((r) => setImmediate(r));
    }
    await producer.flush();

    // Stage 1: per meter → re-keyed by site, written through the outbox.
    const emitted: RepartitionMessage<Reading>[] = [];
    const boundary = new RepartitionBoundary<Reading>({ keyBy: (r) => r.site, sink: emitted, mode: 'replay' });
    const stage1: Topology<never> = {
      states: [repartitionState('by-site', boundary)],
      process(partition: number, messages: readonly ConsumedMessage[]) {
        const records: StreamRecord<Reading>[] = [];
        for (const m of messages) {
          if (m.message.kind !== 'timeseries') continue;
          for (const row of m.message.data.rows()) {
            records.push({
              key: m.streamId,
              partition,
              timestamp: row.timestamp,
              value: { site: row.string('site') ?? '', v: row.numeric('v') ?? 0 },
            });
          }
        }
        boundary.process(records);
      },
      tick: () => undefined,
      drain: () => ({ results: [], outbox: repartitionOutbox(bySite, 2, emitted.splice(0)) }),
      writeResults: async () => undefined,
    };

    // Stage 2: per site and minute, from both source partitions.
    const rows: WindowRow<number>[] = [];
    const late: string[] = [];
    const perSite = new WindowedAggregation<Reading, number, number>({
      window: tumbling(WINDOW),
      aggregator: sum<Reading>((r) => r.v),
      grace: 0,
      inputs: 2,
      mode: 'replay',
      sink: rows,
      onLate: (l) => late.push(`${l.record.key}@${l.record.timestamp}`),
    });
    const stage2: Topology<WindowRow<number>, RepartitionMessage<Reading>> = {
      states: [windowState('site-sums', perSite)],
      process: (partition, messages) => perSite.processMessages(partition, messages),
      tick: () => undefined,
      drain: () => ({ results: rows.splice(0), outbox: [] }),
      writeResults: (c, results) => writeWindowRows(c, table, results),
    };

    const relay = client.createOutboxRelay({ pool, tablePrefix: prefix });
    relay.start();
    const common = { pool, tablePrefix: prefix, checkpointIntervalMs: 200 };
    await client.getStreamProcessor(input, { ...common, consumerGroup: uniqueName('g1'), topology: stage1 }).start();
    await client
      .getStreamProcessor<WindowRow<number>, RepartitionMessage<Reading>>(bySite, {
        ...common,
        consumerGroup: uniqueName('g2'),
        topology: stage2,
        decode: (_p, m) => decodeRepartition<Reading>(m.key, m.headers, m.value),
      })
      .start();

    // The last minute never closes (no later data, replay mode), but every total must be exact.
    await eventually(
      async () => {
        const r = await pool.query<{ key: string; window_start: string; total: string }>(
          `SELECT key, window_start, total FROM ${table}`,
        );
        expect(new Map(r.rows.map((row) => [`${row.key}@${row.window_start}`, Number(row.total)]))).toEqual(expected);
      },
      90_000,
      500,
    );
    expect(late).toEqual([]);
    const finals = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE is_final`);
    expect(Number(finals.rows[0].n)).toBe(expected.size - 3); // all but the last minute of each site
  }, 120_000);
});
