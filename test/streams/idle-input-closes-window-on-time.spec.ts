import { type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { ProcessorTables } from '../support/processor-tables';
import { testClient } from '../support/streams';
import { sumTopology } from '../support/sum-topology';
import { eventually } from '../support/wait';

// Live data stops arriving. The partition's stream time then follows the wall clock after idleMs, so the
// open window closes and its row is final in Postgres within idleMs + grace + 1 s of the input stopping.
const WINDOW = 1000;
const GRACE = 1000;
const IDLE = 1000;

describe('an idle input still closes its windows on time', () => {
  const tables = new ProcessorTables();
  const { pool, prefix, table } = tables;
  let client: StreamingClient;

  beforeAll(() => tables.setUp());
  afterAll(async () => {
    await client?.close();
    await tables.tearDown();
  });

  it('makes the last window final within idleMs + grace + 1 s', async () => {
    client = testClient('idle');
    const topic = uniqueName('t-idle');
    const producer = await client.getTopicProducer(topic);
    const processor = client.getStreamProcessor(topic, {
      consumerGroup: uniqueName('g'),
      pool,
      tablePrefix: prefix,
      checkpointIntervalMs: 100,
      tickIntervalMs: 100,
      topology: sumTopology({ table, windowMs: WINDOW, graceMs: GRACE, idleMs: IDLE }),
    });
    const assigned = new Promise<void>((resolve) => processor.on('assigned', () => resolve()));
    await processor.start();
    await assigned;

    const stream = producer.getOrCreateStream('meter-1');
    const ts = Date.now();
    stream.timeseries.buffer.addTimestamp(ts).addValue('v', 5).publish();
    stream.timeseries.buffer
      .addTimestamp(ts + 1)
      .addValue('v', 7)
      .publish();
    await stream.flush();
    const stoppedAt = Date.now();
    const windowStart = ts - (ts % WINDOW);

    const row = async () =>
      (
        await pool.query(`SELECT total, is_final FROM ${table} WHERE key = 'meter-1' AND window_start = $1`, [
          windowStart,
        ])
      ).rows[0];
    await eventually(
      async () => expect(await row()).toEqual({ total: '12', is_final: true }),
      IDLE + GRACE + WINDOW + 5_000,
      25,
    );
    const finalAfter = Date.now() - stoppedAt;
    expect(finalAfter).toBeLessThanOrEqual(IDLE + GRACE + 1000);
  });
});
