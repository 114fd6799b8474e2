import type { StreamingClient, TopicProducer } from '@switchboard/streams';
import { ProcessorFleet } from '../support/processor-fleet';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// Two processor instances in one group on the real broker and Postgres. One is SIGKILLed mid-run; the
// other takes its partitions over from the offsets and state in Postgres; the killed one comes back.
// Whatever was processed twice around the kill, every window total in Postgres equals the batch sum.
const WINDOW = 60_000;
const GRACE = 60_000;
const STREAMS = 30;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

function dataset(seed: number, rows: number) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const out: { key: string; ts: number; v: number }[] = [];
  for (let i = 0; i < rows; i++) {
    const base = T0 + Math.floor(i / STREAMS) * 2_000; // event time advances 2 s per round of streams
    const jitter = Math.floor((rand() - 0.5) * 20_000); // out of order by up to ±10 s: within grace
    out.push({ key: `meter-${i % STREAMS}`, ts: base + jitter, v: 1 + Math.floor(rand() * 100) });
  }
  return out;
}

function batchTotals(rows: { key: string; ts: number; v: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of rows) {
    const id = `${r.key}@${r.ts - (r.ts % WINDOW)}`;
    totals.set(id, (totals.get(id) ?? 0) + r.v);
  }
  return totals;
}

describe('processor chaos: SIGKILL one of two instances', () => {
  const fleet = new ProcessorFleet({ windowMs: WINDOW, graceMs: GRACE });
  let client: StreamingClient;
  let producer: TopicProducer;

  beforeAll(async () => {
    await fleet.setUp();
    client = testClient('chaos');
    producer = await client.getTopicProducer(fleet.topic);
  });
  afterAll(async () => {
    await fleet.tearDown();
    await client.close();
  });

  async function publish(rows: { key: string; ts: number; v: number }[]): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      producer.getOrCreateStream(r.key).timeseries.buffer.addTimestamp(r.ts).addValue('v', r.v).publish();
      if (i % 200 === 199) {
        await producer.flush();
        await new Promise((res) => setTimeout(res, 20)); // spread over time, so the kill lands mid-stream
      }
    }
    await producer.flush();
  }

  it('loses and doubles nothing: Postgres equals the batch computation', async () => {
    const rows = dataset(42, 9000);
    const expected = batchTotals(rows);
    await publish(rows.slice(0, 3000));

    const a = fleet.start('a');
    const b = fleet.start('b');
    await eventually(
      () => expect(fleet.log.filter((l) => l.includes('"assigned"')).length).toBeGreaterThanOrEqual(2),
      45_000,
      200,
    );

    const middle = publish(rows.slice(3000, 6000));
    await new Promise((res) => setTimeout(res, 400));
    await fleet.stop(a, 'SIGKILL'); // mid-run, mid-checkpoint perhaps
    await middle;
    await publish(rows.slice(6000));

    // b alone must take everything over after the session timeout.
    await eventually(async () => expect(await fleet.totals()).toEqual(expected), 90_000, 500);

    fleet.start('a2'); // the killed one comes back: a rebalance, state moves back from Postgres
    await eventually(
      () => expect(fleet.log.filter((l) => l.startsWith('a2:') && l.includes('"assigned"')).length).toBeGreaterThan(0),
      45_000,
      200,
    );
    const more = dataset(7, 1200).map((r) => ({ ...r, ts: r.ts + 300 * 2_000 })); // later event time, same keys
    await publish(more);
    const all = batchTotals([...rows, ...more]);
    await eventually(async () => expect(await fleet.totals()).toEqual(all), 60_000, 500);
    await new Promise((res) => setTimeout(res, 1500));
    expect(await fleet.totals()).toEqual(all); // and stays exact
    await fleet.stop(b, 'SIGTERM');
  }, 240_000);
});
