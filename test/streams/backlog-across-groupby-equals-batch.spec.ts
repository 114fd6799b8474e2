import { StreamingClient } from '@switchboard/streams';
import { testEnv, uniqueName } from '../support/env';
import { GroupByInstance } from '../support/groupby-instance';
import { ProcessorTables } from '../support/processor-tables';
import { siteReadings } from '../support/site-readings';
import { sumTotals } from '../support/sum-totals';
import { eventually } from '../support/wait';

// An hour of history is produced while nothing runs. Then stage 1 (per meter) re-keys readings by site
// through a repartition topic (outbox + relay, sequence numbers, time markers to every partition) and
// stage 2 sums per site and minute — with grace 0. Stage 2 runs on the minimum of its sources' stream
// times, so however unevenly the two source partitions catch up, nothing is late and every total equals
// the batch computation.
const WINDOW = 60_000;
const T0 = Date.UTC(2026, 0, 7, 9, 0, 0);

describe('backlog across a groupBy', () => {
  const tables = new ProcessorTables();
  const log: string[] = [];
  let source: StreamingClient | undefined;
  let instance: GroupByInstance | undefined;

  beforeAll(() => tables.setUp());
  afterAll(async () => {
    await instance?.close();
    await source?.close();
    await tables.tearDown();
  });

  it('gives exactly the batch result, with no late records', async () => {
    const input = uniqueName('t-readings');
    const hop = uniqueName('t-by-site');
    source = new StreamingClient({ brokers: testEnv.brokers, clientId: uniqueName('backlog'), defaultPartitions: 2 });
    await source.ensureTopics([input, hop]);

    // One hour: 18 meters over 3 sites, a reading every 15 s each.
    const readings = siteReadings(await source.getTopicProducer(input), {
      meters: 18,
      sites: 3,
      stepMs: 15_000,
      windowMs: WINDOW,
      start: T0,
    });
    await readings.publishUntil(T0 + 3_600_000);

    instance = new GroupByInstance({
      name: 'backlog',
      input,
      hop,
      partitions: 2,
      windowMs: WINDOW,
      groups: [uniqueName('g1'), uniqueName('g2')],
      tables,
      log,
      restarts: [],
    });
    await instance.start();

    // The last minute never closes (no later data, replay mode), but every total must be exact.
    await eventually(
      async () => expect(await sumTotals(tables.pool, tables.table)).toEqual(readings.expected),
      90_000,
      500,
    );
    expect(log.filter((line) => line.includes(' late '))).toEqual([]);
    const finals = await tables.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${tables.table} WHERE is_final`);
    expect(Number(finals.rows[0].n)).toBe(readings.expected.size - 3); // all but the last minute of each site
  }, 120_000);
});
