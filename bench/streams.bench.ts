import { AutoOffsetReset, StreamingClient, type StreamsLogger } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testClientOptions, testEnv } from '../test/support/env';
import { createTopicsWithLeaders } from './create-topics';
import { type BenchRow, type BenchSuite, cpuMicros, perSecond } from './harness';

const ROWS = Number(process.env.BENCH_STREAMS_ROWS ?? 100_000);
const STREAMS = 100;
const quiet: StreamsLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const uid = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Produce and consume throughput of libs/streams for packets of 1, 10 and 100 rows, beside plain kafkajs
 * (`send` of one row per message in chunks of 1,000; `eachMessage` reading it) on the same rows, same run.
 */
export function streamsSuite(): BenchSuite {
  return {
    name: 'streams',
    description: `${ROWS.toLocaleString()} rows over ${STREAMS} streams, topic of 2 partitions, acks=-1`,
    async run(log) {
      const rows: BenchRow[] = [];
      for (const packet of [1, 10, 100]) {
        log(`libs/streams, ${packet} row(s) per packet…`);
        rows.push(...(await ours(packet)));
      }
      log('plain kafkajs send / eachMessage…');
      rows.push(...(await plainKafkajs()));
      return rows;
    },
  };
}

async function ours(packet: number): Promise<BenchRow[]> {
  const client = new StreamingClient({ ...testClientOptions(`bench-${uid()}`), logger: quiet });
  const topic = `bench-streams-${uid()}`;
  try {
    const producer = await client.getTopicProducer(topic);
    const streams = Array.from({ length: STREAMS }, (_, i) => {
      const s = producer.getOrCreateStream(`meter-${i}`);
      s.timeseries.buffer.packetSize = packet;
      return s;
    });
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    // Publish in slices so the event loop turns (as a live producer would), flushing at the end.
    for (let i = 0; i < ROWS; i++) {
      streams[i % STREAMS].timeseries.buffer
        .addTimestamp(1_700_000_000_000 + i)
        .addValue('energyWh', i * 0.001)
        .addValue('powerW', 500)
        .publish();
      if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
    }
    await producer.flush();
    const produceMs = performance.now() - t0;
    const produceCpu = cpuMicros() - cpu0;
    const messages = Math.ceil(ROWS / STREAMS / packet) * STREAMS;

    let seen = 0;
    let first = 0;
    let cpuStart = 0;
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: `bench-${uid()}`,
      autoOffsetReset: AutoOffsetReset.Earliest,
    });
    const done = new Promise<number>((resolve) => {
      consumer.onStreamReceived((s) =>
        s.timeseries.onDataReceived((d) => {
          if (first === 0) {
            first = performance.now();
            cpuStart = cpuMicros();
          }
          seen += d.length;
          if (seen >= ROWS) resolve(performance.now());
        }),
      );
    });
    await consumer.subscribe();
    const last = await done;
    const consumeMs = last - first;
    const consumeCpu = cpuMicros() - cpuStart;
    return [
      row('libs/streams', 'produce', packet, messages, produceMs, produceCpu),
      row('libs/streams', 'consume', packet, messages, consumeMs, consumeCpu),
    ];
  } finally {
    await client.close();
  }
}

async function plainKafkajs(): Promise<BenchRow[]> {
  const kafka = new Kafka({ ...testEnv.kafkajs, clientId: `bench-${uid()}`, logLevel: logLevel.NOTHING });
  const topic = `bench-plain-${uid()}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  for (let start = 0; start < ROWS; start += 1000) {
    const messages = [];
    for (let i = start; i < Math.min(ROWS, start + 1000); i++) {
      messages.push({
        key: `meter-${i % STREAMS}`,
        value: JSON.stringify({ timestamp: 1_700_000_000_000 + i, energyWh: i * 0.001, powerW: 500 }),
      });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  const produceMs = performance.now() - t0;
  const produceCpu = cpuMicros() - cpu0;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-${uid()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let first = 0;
  let cpuStart = 0;
  const last = await new Promise<number>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (first === 0) {
          first = performance.now();
          cpuStart = cpuMicros();
        }
        JSON.parse(message.value?.toString() ?? '{}');
        if (++seen >= ROWS) resolve(performance.now());
      },
    });
  });
  const consumeCpu = cpuMicros() - cpuStart;
  await consumer.disconnect();
  return [
    row('kafkajs plain', 'produce', 1, ROWS, produceMs, produceCpu),
    row('kafkajs plain', 'consume', 1, ROWS, last - first, consumeCpu),
  ];
}

function row(impl: string, op: string, rowsPerMessage: number, messages: number, ms: number, cpu: number): BenchRow {
  return {
    impl,
    op,
    rowsPerMessage,
    rows: ROWS,
    messages,
    seconds: Number((ms / 1000).toFixed(2)),
    'rows/s': perSecond(ROWS, ms),
    'messages/s': perSecond(messages, ms),
    'cpu µs/row': Number((cpu / ROWS).toFixed(2)),
  };
}
