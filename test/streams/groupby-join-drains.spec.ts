import { StreamingClient } from '@switchboard/streams';
import { testEnv, uniqueName } from '../support/env';
import { GroupByInstance } from '../support/groupby-instance';
import { ProcessorTables } from '../support/processor-tables';
import { siteReadings } from '../support/site-readings';
import { sumTotals } from '../support/sum-totals';
import { eventually } from '../support/wait';

// Two stages across a repartition hop in one process (as the aggregator's calls and queue stages), a second
// instance joins both groups while a backlog drains and input flows. Stage 2 must drain (it waits for time
// markers of every source partition, so one stuck hop partition stops it all) to the batch result.
const WINDOW = 60_000;
const PARTITIONS = 2;
const T0 = Date.UTC(2026, 0, 9, 9, 0, 0);

describe('a second instance joins a groupBy across a hop', () => {
  const tables = new ProcessorTables();
  const input = uniqueName('t-gb-in');
  const hop = uniqueName('t-gb-hop');
  const groups: [string, string] = [uniqueName('g-gb1'), uniqueName('g-gb2')];
  const log: string[] = [];
  const restarts: string[] = [];
  const instances: GroupByInstance[] = [];
  let source: StreamingClient;

  const instance = (name: string) => {
    const i = new GroupByInstance({
      name,
      input,
      hop,
      partitions: PARTITIONS,
      windowMs: WINDOW,
      groups,
      tables,
      log,
      restarts,
      slowCheckpointMs: 150,
    });
    instances.push(i);
    return i;
  };

  beforeAll(() => tables.setUp());
  afterAll(async () => {
    for (const i of instances) await i.close().catch(() => undefined);
    await source?.close();
    await tables.tearDown();
  });

  it('drains stage 2 to the batch result, without restarts', async () => {
    source = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: uniqueName('gb-src'),
      defaultPartitions: PARTITIONS,
    });
    await source.ensureTopics([input, hop]);
    const producer = await source.getTopicProducer(input);
    // 24 meters over 4 sites, a reading every 5 s each.
    const readings = siteReadings(producer, { meters: 24, sites: 4, stepMs: 5_000, windowMs: WINDOW, start: T0 });
    const { expected, publishUntil } = readings;
    await publishUntil(T0 + 3_600_000); // an hour of backlog

    await instance('a').start();
    await new Promise((r) => setTimeout(r, 2000));
    const joined = instance('b').start(); // joins both groups while a drains the backlog
    for (let s = 1; s <= 20; s++) {
      await publishUntil(T0 + 3_600_000 + s * 60_000); // and input keeps flowing
      await new Promise((r) => setTimeout(r, 250));
    }
    await joined;

    await eventually(
      async () => {
        expect(await sumTotals(tables.pool, tables.table)).toEqual(expected);
      },
      90_000,
      500,
    ).catch((err) => {
      console.log(log.join('\n'));
      throw err;
    });
    if (restarts.length > 0) console.log(log.join('\n'));
    expect(restarts).toEqual([]);
  }, 150_000);
});
