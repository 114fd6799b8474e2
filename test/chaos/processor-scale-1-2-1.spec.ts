import type { StreamingClient, TopicProducer } from '@switchboard/streams';
import { ProcessorFleet } from '../support/processor-fleet';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// A clean scale-out and scale-in while input flows: 1 instance → 2 (partitions move with their state
// through Postgres) → 1 (SIGTERM: the leaver checkpoints and leaves). The totals stay exact.
const WINDOW = 60_000;
const T0 = Date.UTC(2026, 0, 6, 8, 0, 0);

describe('processor scale 1 → 2 → 1', () => {
  const fleet = new ProcessorFleet({ windowMs: WINDOW, graceMs: 60_000 });
  let client: StreamingClient;
  let producer: TopicProducer;
  const expected = new Map<string, number>();
  let n = 0;

  beforeAll(async () => {
    await fleet.setUp();
    client = testClient('scale');
    producer = await client.getTopicProducer(fleet.topic);
  });
  afterAll(async () => {
    await fleet.tearDown();
    await client.close();
  });

  async function publish(rows: number): Promise<void> {
    for (let i = 0; i < rows; i++, n++) {
      const key = `meter-${n % 24}`;
      const ts = T0 + Math.floor(n / 24) * 1_500;
      const v = (n % 13) + 1;
      producer.getOrCreateStream(key).timeseries.buffer.addTimestamp(ts).addValue('v', v).publish();
      const id = `${key}@${ts - (ts % WINDOW)}`;
      expected.set(id, (expected.get(id) ?? 0) + v);
      if (i % 150 === 149) {
        await producer.flush();
        await new Promise((r) => setTimeout(r, 15));
      }
    }
    await producer.flush();
  }

  const assignedCount = (name: string) =>
    fleet.log.filter((l) => l.startsWith(`${name}:`) && l.includes('"assigned"')).length;

  it('keeps every total exact through the rebalances', async () => {
    const a = fleet.start('a');
    await eventually(() => expect(assignedCount('a')).toBeGreaterThan(0), 45_000, 200);
    await publish(2000);

    const b = fleet.start('b'); // scale out while input flows
    const during = publish(2000);
    await eventually(() => expect(assignedCount('b')).toBeGreaterThan(0), 45_000, 200);
    await during;
    await eventually(async () => expect(await fleet.totals()).toEqual(expected), 60_000, 500);

    const leaving = fleet.stop(b, 'SIGTERM'); // scale in while input flows
    await publish(2000);
    await leaving;
    await eventually(async () => expect(await fleet.totals()).toEqual(expected), 60_000, 500);
    await fleet.stop(a, 'SIGTERM');
  }, 200_000);
});
