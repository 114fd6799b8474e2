// A StreamProcessor running the sum topology in its own process, so chaos tests can SIGKILL it.
// Environment: KAFKA_BROKERS, DATABASE_URL, TOPIC, GROUP, TABLE, PREFIX, WINDOW_MS, GRACE_MS, IDLE_MS.

import { StreamingClient } from '@switchboard/streams';
import { Pool } from 'pg';
import { sumTopology } from './sum-topology';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 4 });
  const quiet = () => undefined;
  const client = new StreamingClient({
    brokers: env('KAFKA_BROKERS').split(','),
    clientId: `worker-${process.pid}`,
    logger: {
      debug: quiet,
      info: quiet,
      warn: (m) => console.error(`[worker ${process.pid}] ${m}`),
      error: (m) => console.error(`[worker ${process.pid}] ${m}`),
    },
  });
  const processor = client.getStreamProcessor(env('TOPIC'), {
    consumerGroup: env('GROUP'),
    pool,
    tablePrefix: env('PREFIX'),
    sessionTimeoutMs: 6000,
    checkpointIntervalMs: 200,
    topology: sumTopology({
      table: env('TABLE'),
      windowMs: Number(env('WINDOW_MS')),
      graceMs: Number(env('GRACE_MS')),
      idleMs: process.env.IDLE_MS ? Number(process.env.IDLE_MS) : undefined,
    }),
  });
  processor.on('assigned', (e) => console.log(JSON.stringify({ event: 'assigned', partitions: e.partitions })));
  processor.on('restart', (e) => console.log(JSON.stringify({ event: 'restart', reason: e.reason })));
  await processor.start();
  console.log(JSON.stringify({ event: 'started' }));
  const stop = async () => {
    await client.close();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
