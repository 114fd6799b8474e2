import { eventually } from '../support/wait';
import { gauge, liveSuite, token } from './live-harness';

/**
 * A client that does not acknowledge (does not keep up) is never buffered for without bound: at most
 * maxInFlightFrames frames wait for it; meanwhile its cursor stays and, once it acknowledges, one frame brings the
 * latest version of each changed row (conflated), or a snapshot when the ring has moved past its cursor.
 */
describe('live delivery: a slow client', () => {
  const suite = liveSuite({ maxInFlightFrames: 2, ringSize: 64, tickMs: 20 });
  const { gateway, publisher } = suite;
  const tenant = suite.tenant('slow');

  it('gets conflated latest versions, and the server holds at most the in-flight bound for it', async () => {
    const fast = suite.probe({ token: token(tenant) });
    const slow = suite.probe({ token: token(tenant) });
    await Promise.all([fast.connected(), slow.connected()]);
    fast.subscribe('queues');
    slow.subscribe('queues');
    await eventually(() => expect(slow.frames.length).toBe(1));
    slow.holdAcks = true;

    const rows = 20;
    const versions = 50;
    let maxInFlight = 0;
    let maxEngine = 0;
    const watch = setInterval(() => {
      const b = gateway.service.server.bufferOf(slow.socket.id ?? '');
      maxInFlight = Math.max(maxInFlight, b?.inFlightFrames ?? 0);
      maxEngine = Math.max(maxEngine, b?.engineWriteBuffer ?? 0);
    }, 5);
    try {
      for (let v = 1; v <= versions; v++) {
        await publisher.updates(Array.from({ length: rows }, (_, q) => gauge(tenant, `q${q}`, v)));
      }
      const latest = (p: typeof fast) => [...p.versions('queues').values()];
      await eventually(() => expect(latest(fast)).toEqual(Array(rows).fill(versions)));
      await new Promise((r) => setTimeout(r, 200));
      expect(slow.frames.length).toBeLessThanOrEqual(1 + 2);
      expect(maxInFlight).toBeLessThanOrEqual(2);
      expect(maxEngine).toBeLessThanOrEqual(2);

      slow.releaseAcks();
      await eventually(() => expect(latest(slow)).toEqual(Array(rows).fill(versions)));
    } finally {
      clearInterval(watch);
    }
    // The fast client saw every version it could; the slow one got a handful of frames, never an older version.
    const seen = new Map<string, number>();
    for (const f of slow.of('queues')) {
      if (f.type === 'snapshot') seen.clear();
      for (const r of f.rows) {
        expect(r.version).toBeGreaterThan(seen.get(r.id) ?? 0);
        seen.set(r.id, r.version);
      }
    }
    const slowRows = slow.frames.reduce((n, f) => n + f.rows.length, 0);
    const fastRows = fast.frames.reduce((n, f) => n + f.rows.length, 0);
    console.log(
      `slow client: ${slow.frames.length} frames / ${slowRows} rows; fast: ${fast.frames.length} frames / ${fastRows} rows; ` +
        `published ${rows * versions} versions; max in flight ${maxInFlight}, max engine buffer ${maxEngine}`,
    );
    expect(slowRows).toBeLessThan((rows * versions) / 4);
  });
});
