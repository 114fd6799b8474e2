import { randomBytes } from 'node:crypto';
import { CheckpointStore, createStreamsSchema, dropStreamsSchema, OutboxRelay } from '@switchboard/streams';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { registerOutboxMetrics } from './outbox-metrics';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard';

describe('the outbox in /metrics', () => {
  const prefix = `streams_m${randomBytes(4).toString('hex')}_`;
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  let relay: OutboxRelay | undefined;
  beforeAll(() => createStreamsSchema(pool, prefix));
  afterAll(async () => {
    await relay?.stop();
    await dropStreamsSchema(pool, prefix);
    await pool.end();
  });

  it('reports unsent rows, the table bytes and the pruned rows; 0 before the relay starts', async () => {
    const registry = new Registry();
    registerOutboxMetrics(registry, () => relay);
    expect(await registry.metrics()).toMatch(/^switchboard_outbox_unsent_rows 0$/m);

    const store = new CheckpointStore({ pool, tablePrefix: prefix });
    const { epoch } = await store.acquire('g', 't', 0, 'writer');
    await store.commit({
      group: 'g',
      partitions: [{ topic: 't', partition: 0, epoch, nextOffset: 3 }],
      outbox: [1, 2, 3].map((i) => ({ topic: 'u', key: `k${i}`, headers: {}, value: Buffer.from('v') })),
    });
    let kafkaAway = true;
    relay = new OutboxRelay({
      pool,
      tablePrefix: prefix,
      pollIntervalMs: 50,
      retryMs: 50,
      retainSentMs: 0,
      pruneIntervalMs: 50,
      logger: quiet,
      send: async () => {
        if (kafkaAway) throw new Error('broker unavailable');
      },
    });
    relay.start();
    await new Promise((r) => setTimeout(r, 300));
    const text = await registry.metrics();
    expect(text).toMatch(/^switchboard_outbox_unsent_rows 3$/m);
    expect(Number(/^switchboard_outbox_table_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);

    kafkaAway = false;
    const deadline = Date.now() + 10_000;
    while (!/^switchboard_outbox_pruned_rows_total 3$/m.test(await registry.metrics()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const after = await registry.metrics();
    expect(after).toMatch(/^switchboard_outbox_pruned_rows_total 3$/m);
    expect(after).toMatch(/^switchboard_outbox_unsent_rows 0$/m);
  }, 30_000);
});
