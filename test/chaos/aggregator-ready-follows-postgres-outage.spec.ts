import { AggregatorFleet } from '../support/aggregator-fleet';
import { testEnv, uniqueName } from '../support/env';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait';

// The real aggregator (a child process) reaches Postgres through a proxy that cuts it away for 8 s. The process
// must live through it (pg's `error` events on idle and busy connections used to be thrown, and kill it), its
// /health/ready must say not ready with the reason while Postgres is away, and ready again after, while
// /health/live stays ok all along.
const OUTAGE_MS = 8000;

interface Ready {
  status: number;
  body: { status?: string; error?: Record<string, { message?: string }> };
}

describe('aggregator readiness follows a Postgres outage', () => {
  const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
  let fleet: AggregatorFleet;
  let base: string;

  beforeAll(async () => {
    const port = await proxy.start();
    const httpPort = 3800 + Math.floor(Math.random() * 150);
    fleet = new AggregatorFleet({
      graceMs: 60_000,
      idleMs: 5000,
      port: httpPort,
      extraEnv: {
        DATABASE_URL: testEnv.databaseUrl.replace(':5432', `:${port}`),
        SWITCHBOARD_TOPIC_NAMESPACE: uniqueName('pgcut'),
      },
    });
    base = `http://127.0.0.1:${httpPort}`;
  });

  afterAll(async () => {
    await fleet.stopAll();
    await proxy.stop();
  });

  const ready = async (): Promise<Ready> => {
    const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: (await res.json()) as Ready['body'] };
  };
  const live = async () => (await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(5000) })).status;

  it('goes not ready with the reason during the cut, ready after, and never exits', async () => {
    const child = fleet.start('agg-pgcut');
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
    });
    await eventually(async () => expect((await ready()).status).toBe(200), 60_000, 500);

    const cutAt = Date.now();
    proxy.cut();
    const down = await eventually(
      async () => {
        const r = await ready();
        expect(r.status).toBe(503);
        return r;
      },
      OUTAGE_MS,
      250,
    );
    const notReadyAfterMs = Date.now() - cutAt;
    const lives: number[] = [];
    while (Date.now() - cutAt < OUTAGE_MS) {
      lives.push(await live());
      await new Promise((r) => setTimeout(r, 500));
    }
    const restoredAt = Date.now();
    proxy.restore();
    await eventually(async () => expect((await ready()).status).toBe(200), 20_000, 250);
    const readyAgainMs = Date.now() - restoredAt;
    // A little longer: the pipelines take their partitions again; nothing may crash on the way.
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      JSON.stringify({ outageMs: restoredAt - cutAt, notReadyAfterMs, readyAgainMs, reason: down.body.error }),
      `\n${fleet.log.slice(-3).join('\n')}`,
    );

    expect(down.body.error?.postgres?.message).toEqual(expect.any(String));
    expect(lives.every((s) => s === 200)).toBe(true);
    expect(exited).toBeUndefined();
    expect(fleet.log.filter((l) => /crashed|Unhandled|uncaught/i.test(l))).toEqual([]);
    expect((await ready()).status).toBe(200);
  }, 90_000);
});
