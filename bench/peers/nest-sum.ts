// A child process of the peers suite: the keyed 1-minute sum as a NestJS microservice, the way Nest's docs
// show an event handler — `@EventPattern(topic)` on a controller, one upsert into Postgres per message, the
// transport committing offsets on its own. `kafka` runs it on @nestjs/microservices' Transport.KAFKA (kafkajs,
// one message at a time), `streams` on our StreamsTransport (libs/streams/src/nest) with the same handler body.
//
//   node -r @swc-node/register bench/peers/nest-sum.ts kafka|streams <topic> <table> <rows> <group>
//
// Reports over IPC: {first: true} at the first row, then its figures when <rows> rows were summed or when the
// parent sends 'stop'. Not windowed the way a stream processor is: no grace, no final rows, not exactly-once
// (a redelivered message is added twice), which is what the docs' pattern gives.
import 'reflect-metadata';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, type MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import { AutoOffsetReset } from '@switchboard/streams';
import { type StreamEvent, StreamsTransport } from '@switchboard/streams/nest';
import { Pool } from 'pg';
import { testEnv } from '../../test/support/env';
import { cpuMicros } from '../harness';
import { machineCpu, processRssMiB } from '../proc-stats';

const [, , transport, topic, table, rowsArg, group] = process.argv;
const expected = Number(rowsArg);
const WINDOW_MS = 60_000;
const POOL = Symbol('pool');

interface Packet {
  timestamps: number[];
  numericValues: Record<string, (number | null)[]>;
}

const progress = { rows: 0, firstAt: 0, lastAt: 0, cpu0: 0, machine0: machineCpu(), reported: false };

function counted(n: number): void {
  if (progress.firstAt === 0) {
    progress.firstAt = performance.now();
    progress.cpu0 = cpuMicros();
    progress.machine0 = machineCpu();
    process.send?.({ first: true });
  }
  progress.rows += n;
  progress.lastAt = performance.now();
  if (progress.rows >= expected) report();
}

function report(): void {
  if (progress.reported) return;
  progress.reported = true;
  process.send?.({
    rows: progress.rows,
    ms: progress.lastAt - progress.firstAt,
    cpuMicros: cpuMicros() - progress.cpu0,
    machineJiffies: machineCpu().busy - progress.machine0.busy,
    peakRssMiB: processRssMiB(process.pid).peak,
  });
}

/** One upsert per row: the window's running total. */
async function addRow(pool: Pool, key: string, ts: number, v: number): Promise<void> {
  const start = ts - (ts % WINDOW_MS);
  await pool.query(
    `INSERT INTO ${table} AS t (key, window_start, window_end, total) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key, window_start) DO UPDATE SET total = t.total + EXCLUDED.total`,
    [key, start, start + WINDOW_MS, v],
  );
}

@Controller()
class KafkaSumController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @EventPattern(topic)
  async onPacket(@Payload() packet: Packet, @Ctx() context: KafkaContext): Promise<void> {
    const key = String(context.getMessage().key);
    const values = packet.numericValues.v ?? [];
    for (let i = 0; i < packet.timestamps.length; i++)
      await addRow(this.pool, key, packet.timestamps[i], values[i] ?? 0);
    counted(packet.timestamps.length);
  }
}

@Controller()
class StreamsSumController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @EventPattern(topic)
  async onPacket(@Payload() event: StreamEvent): Promise<void> {
    if (event.kind !== 'timeseries') return;
    for (const r of event.data.rows()) await addRow(this.pool, event.streamId, r.timestamp, r.numeric('v') ?? 0);
    counted(event.data.length);
  }
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
    key text NOT NULL, window_start bigint NOT NULL, window_end bigint NOT NULL, total bigint NOT NULL,
    PRIMARY KEY (key, window_start))`);
  const providers = [{ provide: POOL, useValue: pool }];
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

  @Module({ controllers: [transport === 'kafka' ? KafkaSumController : StreamsSumController], providers })
  class SumModule {}

  const options: MicroserviceOptions =
    transport === 'kafka'
      ? {
          transport: Transport.KAFKA,
          options: {
            client: { clientId: group, brokers: testEnv.brokers, logLevel: 0 },
            consumer: { groupId: group },
            subscribe: { fromBeginning: true },
            postfixId: '',
          },
        }
      : {
          strategy: new StreamsTransport({
            client: { brokers: testEnv.brokers, clientId: group, logger: quiet },
            consumer: { consumerGroup: group, autoOffsetReset: AutoOffsetReset.Earliest },
          }),
        };
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(SumModule, { ...options, logger: false });
  process.on('message', (m) => {
    if (m === 'stop') report();
    if (m === 'exit') void app.close().finally(() => pool.end().finally(() => process.exit(0)));
  });
  await app.listen();
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
