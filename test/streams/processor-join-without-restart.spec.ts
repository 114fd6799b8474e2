import { StreamingClient, type StreamProcessor, type WindowRow } from '@switchboard/streams';
import { testEnv, uniqueName } from '../support/env';
import { ProcessorTables } from '../support/processor-tables';
import { recordingLogger } from '../support/recording-logger';
import { slowCheckpoints } from '../support/slow-checkpoints';
import { sumTopology } from '../support/sum-topology';
import { sumTotals } from '../support/sum-totals';
import { eventually } from '../support/wait';

// A second member joins a processor's group while input flows (the everyday scale-out). The first member's
// revocation checkpoint saves its work before its partitions are handed over, so neither member drops its
// state and restarts from Postgres, and the totals equal the batch computation.
const WINDOW = 60_000;
const PARTITIONS = 4;
const T0 = Date.UTC(2026, 0, 8, 8, 0, 0);

describe('a member joins a running processor group', () => {
  const tables = new ProcessorTables();
  const topic = uniqueName('t-join');
  const group = uniqueName('g-join');
  const log: string[] = [];
  const clients: StreamingClient[] = [];
  const processors: StreamProcessor<WindowRow<number>>[] = [];
  const restarts: string[] = [];

  const member = (name: string): StreamProcessor<WindowRow<number>> => {
    const client = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: uniqueName(name),
      logger: recordingLogger(name, log),
      defaultPartitions: PARTITIONS,
    });
    clients.push(client);
    const p = client.getStreamProcessor(topic, {
      consumerGroup: group,
      pool: tables.pool,
      tablePrefix: tables.prefix,
      ownerId: name,
      sessionTimeoutMs: 6000,
      checkpointIntervalMs: 200,
      topology: slowCheckpoints(sumTopology({ table: tables.table, windowMs: WINDOW, graceMs: 60_000 }), 250),
    });
    p.on('restart', (e) => restarts.push(`${name}: ${e.reason}`));
    for (const event of ['assigned', 'revoked'] as const)
      p.on(event, (e) => log.push(`${Date.now() % 100_000} ${name} ${event} ${e.partitions.join(',')}`));
    processors.push(p);
    return p;
  };

  beforeAll(() => tables.setUp());
  afterAll(async () => {
    for (const p of processors) await p.close().catch(() => undefined);
    for (const c of clients) await c.close().catch(() => undefined);
    await tables.tearDown();
  });

  it('moves partitions with their saved work: no restart from Postgres, totals equal the batch', async () => {
    const source = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: uniqueName('join-src'),
      defaultPartitions: PARTITIONS,
    });
    clients.push(source);
    const producer = await source.getTopicProducer(topic);
    const expected = new Map<string, number>();
    let n = 0;
    let flowing = true;
    // A steady input: 48 streams, ~2,000 rows a second, until told to stop.
    const flow = (async () => {
      while (flowing) {
        for (let i = 0; i < 100; i++, n++) {
          const key = `meter-${n % 48}`;
          const ts = T0 + Math.floor(n / 48) * 1_000;
          const v = (n % 11) + 1;
          producer.getOrCreateStream(key).timeseries.buffer.addTimestamp(ts).addValue('v', v).publish();
          const id = `${key}@${ts - (ts % WINDOW)}`;
          expected.set(id, (expected.get(id) ?? 0) + v);
        }
        await producer.flush();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await member('a').start();
    await new Promise((r) => setTimeout(r, 3000)); // a owns every partition and has work in flight
    await member('b').start(); // the join: a's partitions are split while it processes
    await new Promise((r) => setTimeout(r, 4000));
    flowing = false;
    await flow;

    await eventually(
      async () => {
        expect(await sumTotals(tables.pool, tables.table)).toEqual(expected);
      },
      60_000,
      500,
    );
    if (restarts.length > 0) console.log(log.join('\n'));
    expect(restarts).toEqual([]);
  }, 120_000);
});
