import { CheckpointStore, type OutboxRelay, StreamingClient, type StreamProcessor } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { PrivateBroker } from '../support/private-broker';
import { ProcessorTables } from '../support/processor-tables';
import { recordingLogger } from '../support/recording-logger';
import { sumTotals } from '../support/sum-totals';
import { eventually } from '../support/wait';
import { outboxRows, ProcessorEvents, SteadyInput, sumWithUpdates } from './outage-harness';

// The broker goes away for 8 s under a processor and its outbox relay. kafkajs learns broker addresses from
// metadata, so a proxy in front of the shared broker would only cover the bootstrap: this spec runs a private
// broker (tools/kafka/broker.mjs on ports and a data dir of its own) and stops and starts that one. The process
// keeps retrying with back-off, the relay's status shows the failing sends, and afterwards the results equal the
// batch sum and every outbox row reached Kafka.
const OUTAGE_MS = 8000;

describe('Kafka outage: the processor and the relay retry and stay exact', () => {
  const privateBroker = new PrivateBroker(29092);
  const broker = (cmd: 'start' | 'stop') => (cmd === 'start' ? privateBroker.start() : privateBroker.stop());
  const { brokers } = privateBroker;
  const tables = new ProcessorTables();
  const topic = uniqueName('t-kcut');
  const log: string[] = [];
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  let client: StreamingClient | undefined;
  let feeder: StreamingClient | undefined;

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    await broker('start');
    await tables.setUp();
  }, 60_000);

  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    // The broker goes whatever happened: start it if the test stopped it, so the clients close cleanly, then stop.
    await broker('start').catch(() => undefined);
    await client?.close().catch(() => undefined);
    await feeder?.close().catch(() => undefined);
    await privateBroker.remove();
    await tables.tearDown();
  }, 60_000);

  it('retries with back-off, shows it, and loses and doubles nothing', async () => {
    client = new StreamingClient({ brokers, clientId: uniqueName('kcut'), logger: recordingLogger('processor', log) });
    feeder = new StreamingClient({ brokers, clientId: uniqueName('kcut-feed'), logger: recordingLogger('feed', []) });
    const producer = await feeder.getTopicProducer(topic);
    const updatesTopic = `${topic}.updates`;
    const processor = client.getStreamProcessor(topic, {
      consumerGroup: uniqueName('g-kcut'),
      pool: tables.pool,
      tablePrefix: tables.prefix,
      sessionTimeoutMs: 6000,
      checkpointIntervalMs: 200,
      topology: sumWithUpdates(tables.table, updatesTopic),
    }) as StreamProcessor<unknown>;
    const events = new ProcessorEvents(processor);
    const relay: OutboxRelay = client.createOutboxRelay({
      pool: tables.pool,
      tablePrefix: tables.prefix,
      pollIntervalMs: 500,
    });
    let sendFailures = 0;
    relay.on('failure', (f) => {
      if (f.phase === 'send') sendFailures++;
    });
    relay.start();
    await processor.start();
    const input = new SteadyInput(producer);
    const started = Date.now();
    while (Date.now() - started < 4000) await input.burst();
    await eventually(async () => expect(await sumTotals(tables.pool, tables.table)).toEqual(input.expected), 20_000);

    const stoppedAt = Date.now();
    await broker('stop');
    // A checkpoint during the outage (an outbox row, as a processor's would be): the relay cannot send it.
    await new CheckpointStore({ pool: tables.pool, tablePrefix: tables.prefix }).commit({
      group: 'outage-marker',
      partitions: [],
      outbox: [{ topic: updatesTopic, key: 'outage-marker', value: Buffer.from('1') }],
    });
    let kafkaDownSeen = false;
    let relaySendDownSeen = false;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      await new Promise((r) => setTimeout(r, 500));
      kafkaDownSeen ||= await client.checkConnection(1000).then(
        () => false,
        () => true,
      );
      relaySendDownSeen ||= relay.status.send !== undefined;
    }
    const restartedAt = Date.now();
    await broker('start');
    const brokerBackMs = Date.now() - restartedAt;
    const moreFrom = Date.now();
    while (Date.now() - moreFrom < 4000) await input.burst();

    await eventually(
      async () => expect(await sumTotals(tables.pool, tables.table)).toEqual(input.expected),
      45_000,
      250,
    );
    const caughtUpMs = Date.now() - restartedAt;
    await eventually(async () => expect((await outboxRows(tables.pool, tables.prefix)).unsent).toBe(0), 20_000, 250);
    const outbox = await outboxRows(tables.pool, tables.prefix);
    const published = [...(await client.endOffsets(updatesTopic)).values()].reduce((a, b) => a + Number(b), 0);
    const summary = {
      rows: input.published,
      outageMs: restartedAt - stoppedAt,
      brokerBackMs,
      caughtUpAfterRestartMs: caughtUpMs,
      restarts: events.restarts.length,
      pauses: events.pauses.length,
      relaySendFailures: sendFailures,
      outboxRows: outbox.rows,
      publishedToKafka: published,
    };
    console.log(JSON.stringify(summary), `\n${log.join('\n')}`);

    expect(uncaught).toEqual([]);
    expect(kafkaDownSeen).toBe(true);
    expect(relaySendDownSeen).toBe(true);
    expect(events.pauses).toEqual([]); // Postgres was there all along: nothing to pause for
    expect(events.restarts.length).toBeLessThanOrEqual(1);
    expect(sendFailures).toBeLessThanOrEqual(8); // back-off: 1, 2, 4, 5, 5 … s, not one per poll
    expect(published).toBeGreaterThanOrEqual(outbox.rows);
    expect(relay.status.send).toBeUndefined();
    await expect(client.checkConnection(2000)).resolves.toMatchObject({ brokers: 1 });
  }, 90_000);
});
