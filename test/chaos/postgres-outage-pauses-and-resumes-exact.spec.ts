import { type OutboxRelay, StreamingClient, type StreamProcessor, type TopicProducer } from '@switchboard/streams';
import { Pool } from 'pg';
import { testEnv, uniqueName } from '../support/env';
import { ProcessorTables } from '../support/processor-tables';
import { recordingLogger } from '../support/recording-logger';
import { testClient } from '../support/streams';
import { sumTotals } from '../support/sum-totals';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait';
import { outboxRows, ProcessorEvents, SteadyInput, sumWithUpdates } from './outage-harness';

// A processor and its outbox relay reach Postgres through a proxy; the input keeps coming while the proxy cuts
// Postgres away for 8 s (every connection destroyed, new ones refused). The process must ride it out: no crash
// (pg's `error` events included), fetching paused rather than work piling up, no restart storm, one warning per
// outage; afterwards the results equal the batch sum and every outbox row reached Kafka.
const OUTAGE_MS = 8000;
/** The default back-off caps at 5 s: resuming takes at most that, plus one takeover and a little scheduling. */
const RESUME_WITHIN_MS = 8000;

describe('Postgres outage: the processor pauses, resumes and stays exact', () => {
  const tables = new ProcessorTables();
  const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
  const topic = uniqueName('t-pgcut');
  const log: string[] = [];
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  let pool: Pool;
  let client: StreamingClient;
  let feeder: StreamingClient;
  let producer: TopicProducer;

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    await tables.setUp();
    const port = await proxy.start();
    pool = new Pool({ connectionString: testEnv.databaseUrl.replace(':5432', `:${port}`), max: 4 });
    client = new StreamingClient({
      brokers: testEnv.brokers,
      clientId: uniqueName('pgcut'),
      logger: recordingLogger('processor', log),
    });
    feeder = testClient('pgcut-feed');
    producer = await feeder.getTopicProducer(topic);
  });

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    proxy.restore();
    await client.close();
    await pool.end();
    await proxy.stop();
    await feeder.close();
    await tables.tearDown();
  });

  it('loses and doubles nothing, restarts nothing, and publishes every outbox row', async () => {
    const processor: StreamProcessor<unknown> = client.getStreamProcessor(topic, {
      consumerGroup: uniqueName('g-pgcut'),
      pool,
      tablePrefix: tables.prefix,
      sessionTimeoutMs: 6000,
      checkpointIntervalMs: 200,
      topology: sumWithUpdates(tables.table, `${topic}.updates`),
    }) as StreamProcessor<unknown>;
    const events = new ProcessorEvents(processor);
    const relay: OutboxRelay = client.createOutboxRelay({ pool, tablePrefix: tables.prefix, pollIntervalMs: 500 });
    relay.start();
    await processor.start();
    const input = new SteadyInput(producer);

    const started = Date.now();
    while (Date.now() - started < 4000) await input.burst();
    const cutAt = Date.now();
    proxy.cut();
    let pausedSeen = false;
    let relayDownSeen = false;
    while (Date.now() - cutAt < OUTAGE_MS) {
      await input.burst();
      pausedSeen ||= processor.status.paused;
      relayDownSeen ||= relay.status.database !== undefined;
    }
    const restoredAt = Date.now();
    proxy.restore();
    while (Date.now() - restoredAt < 4000) await input.burst();

    await eventually(
      async () => expect(await sumTotals(tables.pool, tables.table)).toEqual(input.expected),
      40_000,
      250,
    );
    await eventually(async () => expect((await outboxRows(tables.pool, tables.prefix)).unsent).toBe(0), 20_000, 250);
    const outbox = await outboxRows(tables.pool, tables.prefix);
    const updates = await client.endOffsets(`${topic}.updates`);
    const published = [...updates.values()].reduce((a, b) => a + Number(b), 0);
    const resumed = events.resumes[0];
    const summary = {
      rows: input.published,
      outageMs: restoredAt - cutAt,
      pauses: events.pauses.length,
      restarts: events.restarts.length,
      resumedAfterRestoreMs: resumed ? resumed.at - restoredAt : null,
      checkpointsWhileCut: events.checkpointsBetween(cutAt + 500, restoredAt),
      outboxRows: outbox.rows,
      publishedToKafka: published,
      refusedConnections: proxy.refused,
    };
    console.log(JSON.stringify(summary), `\n${log.join('\n')}`);

    expect(uncaught).toEqual([]);
    expect(pausedSeen).toBe(true);
    expect(relayDownSeen).toBe(true);
    expect(events.restarts).toEqual([]); // paused in the group, not left and rejoined
    expect(events.pauses.length).toBe(1);
    expect(events.resumes.length).toBe(1);
    expect(summary.resumedAfterRestoreMs).toBeLessThan(RESUME_WITHIN_MS);
    expect(summary.checkpointsWhileCut).toBe(0);
    expect(outbox.rows).toBeGreaterThan(0);
    expect(published).toBeGreaterThanOrEqual(outbox.rows); // at least once: a resend after the cut is allowed
    // Logged once per outage, not per attempt: one warning each for the processor and the relay.
    expect(log.filter((l) => / warn .*unavailable/.test(l)).length).toBeLessThanOrEqual(2);
    expect(processor.status).toEqual({ paused: false, restarting: false });
    expect(relay.status.database).toBeUndefined();
  }, 90_000);
});
