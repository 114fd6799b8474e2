// A child process of the peers suite: raw produce or consume of our `json/1` wire format with one Kafka client,
// so each figure has a process of its own (CPU, peak RSS) and no other client's code is loaded beside it.
//
//   node -r @swc-node/register bench/peers/clients.ts kafkajs|platformatic|libs-streams produce|consume \
//     <topic> <rows> <rows per message>
//
// produce: <rows> rows over 100 streams, encoded with libs/streams' codec (key = stream id, headers sb-model and
// sb-codec), sent in batches of 1,000 messages with acks=-1 (idempotent), each batch awaited; libs/streams packs
// rows itself (`packetSize`) and flushes at the end. consume: a fresh group from the earliest offset until every
// row was decoded (libs/streams' `decode` for the raw clients). Prints one JSON line with the figures.
import {
  Consumer as PlatformaticConsumer,
  Producer as PlatformaticProducer,
  stringDeserializer,
} from '@platformatic/kafka';
import {
  AutoOffsetReset,
  decode,
  encode,
  StreamingClient,
  type StreamsLogger,
  TimeseriesData,
  type WireMessage,
} from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv } from '../../test/support/env';
import { cpuMicros } from '../harness';
import { machineCpu, processRssMiB } from '../proc-stats';

const STREAMS = 100;
const BATCH = 1000;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const quiet: StreamsLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Message m of the input: rows m·r … m·r + r − 1 of stream m % 100, the processing job's shape (one value `v`). */
export function wireMessage(m: number, rowsPerMessage: number): WireMessage {
  const data = new TimeseriesData();
  const v: number[] = [];
  for (let j = 0; j < rowsPerMessage; j++) {
    const i = m * rowsPerMessage + j;
    data.timestamps.push(T0 + i);
    v.push(1 + ((i * 7919) % 1000));
  }
  data.numericValues.set('v', v);
  return encode(`meter-${m % STREAMS}`, { kind: 'timeseries', data });
}

interface Figures {
  ms: number;
  cpuMicros: number;
  machineJiffies: number;
}

/** From the first message sent or received to the last acknowledged or decoded (connect and close left out). */
interface Clock {
  start(): void;
  end(): void;
  figures(): Figures;
}

function clock(): Clock {
  let t0 = 0;
  let c0 = 0;
  let m0 = machineCpu();
  let figures: Figures | undefined;
  return {
    start() {
      if (t0 !== 0) return;
      t0 = performance.now();
      c0 = cpuMicros();
      m0 = machineCpu();
    },
    end() {
      figures ??= {
        ms: performance.now() - t0,
        cpuMicros: cpuMicros() - c0,
        machineJiffies: machineCpu().busy - m0.busy,
      };
    },
    figures() {
      if (!figures) throw new Error('the clock was never stopped');
      return figures;
    },
  };
}

async function kafkajsProduce(topic: string, messages: number, r: number, c: Clock): Promise<void> {
  const kafka = new Kafka({
    clientId: `bench-kafkajs-${process.pid}`,
    brokers: testEnv.brokers,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  c.start();
  for (let start = 0; start < messages; start += BATCH) {
    const batch = [];
    for (let m = start; m < Math.min(messages, start + BATCH); m++) batch.push(wireMessage(m, r));
    await producer.send({ topic, acks: -1, messages: batch });
  }
  c.end();
  await producer.disconnect();
}

async function kafkajsConsume(topic: string, rows: number, c: Clock): Promise<void> {
  const kafka = new Kafka({
    clientId: `bench-kafkajs-${process.pid}`,
    brokers: testEnv.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        c.start();
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
          const d = decode(m.key?.toString() ?? null, headers, m.value);
          if (d.message.kind === 'timeseries') seen += d.message.data.length;
        }
        if (seen >= rows) resolve();
      },
    });
  });
  c.end();
  await consumer.disconnect();
}

async function platformaticProduce(topic: string, messages: number, r: number, c: Clock): Promise<void> {
  const producer = new PlatformaticProducer<string, Buffer, string, string>({
    clientId: `bench-platformatic-${process.pid}`,
    bootstrapBrokers: testEnv.brokers,
    idempotent: true,
    acks: -1,
    serializers: {
      key: (k?: string) => (k === undefined ? undefined : Buffer.from(k)),
      value: (v?: Buffer) => v,
      headerKey: (k?: string) => (k === undefined ? undefined : Buffer.from(k)),
      headerValue: (v?: string) => (v === undefined ? undefined : Buffer.from(v)),
    },
  });
  c.start();
  for (let start = 0; start < messages; start += BATCH) {
    const batch = [];
    for (let m = start; m < Math.min(messages, start + BATCH); m++) {
      const w = wireMessage(m, r);
      batch.push({ topic, key: w.key, value: w.value, headers: w.headers });
    }
    await producer.send({ messages: batch });
  }
  c.end();
  await producer.close();
}

async function platformaticConsume(topic: string, rows: number, c: Clock): Promise<void> {
  const consumer = new PlatformaticConsumer<string, Buffer, string, string>({
    clientId: `bench-platformatic-${process.pid}`,
    groupId: `bench-platformatic-${process.pid}-${Date.now()}`,
    bootstrapBrokers: testEnv.brokers,
    deserializers: {
      key: stringDeserializer,
      value: (v?: Buffer) => v as Buffer,
      headerKey: stringDeserializer,
      headerValue: stringDeserializer,
    },
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('data', (m) => {
      c.start();
      const d = decode(m.key ?? null, Object.fromEntries(m.headers), m.value ?? null);
      if (d.message.kind === 'timeseries') seen += d.message.data.length;
      if (seen >= rows) resolve();
    });
  });
  c.end();
  await stream.close();
  await consumer.close(true);
}

async function streamsProduce(topic: string, rows: number, r: number, c: Clock): Promise<void> {
  const client = new StreamingClient({
    brokers: testEnv.brokers,
    clientId: `bench-streams-${process.pid}`,
    logger: quiet,
  });
  try {
    const producer = await client.getTopicProducer(topic);
    const streams = Array.from({ length: STREAMS }, (_, k) => {
      const s = producer.getOrCreateStream(`meter-${k}`);
      s.timeseries.buffer.packetSize = r;
      return s;
    });
    c.start();
    // Row i goes to stream ⌊i / r⌋ % 100, so each stream's rows fill packets of r as in the raw clients' input.
    for (let i = 0; i < rows; i++) {
      streams[Math.floor(i / r) % STREAMS].timeseries.buffer
        .addTimestamp(T0 + i)
        .addValue('v', 1 + ((i * 7919) % 1000))
        .publish();
      if (i % 5000 === 4999) await new Promise((res) => setImmediate(res));
    }
    await producer.flush();
    c.end();
  } finally {
    await client.close();
  }
}

async function streamsConsume(topic: string, rows: number, c: Clock): Promise<void> {
  const client = new StreamingClient({
    brokers: testEnv.brokers,
    clientId: `bench-streams-${process.pid}`,
    logger: quiet,
  });
  try {
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: `bench-streams-${process.pid}-${Date.now()}`,
      autoOffsetReset: AutoOffsetReset.Earliest,
    });
    let seen = 0;
    const done = new Promise<void>((resolve) =>
      consumer.onStreamReceived((s) =>
        s.timeseries.onDataReceived((d) => {
          c.start();
          seen += d.length;
          if (seen >= rows) resolve();
        }),
      ),
    );
    await consumer.subscribe();
    await done;
    c.end();
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const [, , impl, op, topic, rowsArg, rArg] = process.argv;
  const rows = Number(rowsArg);
  const r = Number(rArg);
  const messages = Math.ceil(rows / r);
  const c = clock();
  if (impl === 'kafkajs' && op === 'produce') await kafkajsProduce(topic, messages, r, c);
  else if (impl === 'kafkajs' && op === 'consume') await kafkajsConsume(topic, rows, c);
  else if (impl === 'platformatic' && op === 'produce') await platformaticProduce(topic, messages, r, c);
  else if (impl === 'platformatic' && op === 'consume') await platformaticConsume(topic, rows, c);
  else if (impl === 'libs-streams' && op === 'produce') await streamsProduce(topic, rows, r, c);
  else if (impl === 'libs-streams' && op === 'consume') await streamsConsume(topic, rows, c);
  else throw new Error(`unknown client/op ${impl} ${op}`);
  process.stdout.write(
    `${JSON.stringify({ rows, messages, ...c.figures(), peakRssMiB: processRssMiB(process.pid).peak })}\n`,
  );
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}
