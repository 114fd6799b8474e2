import { Registry } from 'prom-client';
import { registerLiveMetrics } from '../../apps/dashboard-gateway/src/live/live-metrics';
import { eventually } from '../support/wait';
import { gauge, liveSuite, token } from './live-harness';

// One tenant's queues (windows, gauges, agents) must not grow without bound nor crowd out another's: at its limit a
// new row takes the place of that tenant's least recently changed row, its subscribers are told with an error frame
// {code, message, channel}, the other tenant keeps every row, and the figures are on /metrics.
describe('live queues bounded per tenant', () => {
  const suite = liveSuite({ maxQueueRowsPerTenant: 3 });
  const { publisher } = suite;
  const liveFigures = async () => {
    const registry = new Registry();
    registerLiveMetrics(registry, suite.gateway.service);
    const text = await registry.metrics();
    const figure = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? Number.NaN);
    return {
      rows: figure(/^dashboard_gateway_live_queue_rows (\d+)$/m),
      atLimit: figure(/^dashboard_gateway_live_queue_tenants_at_limit (\d+)$/m),
      evicted: figure(/^dashboard_gateway_live_queue_rows_evicted_total\{reason="limit"\} (\d+)$/m),
    };
  };

  it("evicts the tenant's own oldest row at its limit, tells its subscribers, and leaves another tenant alone", async () => {
    const a = suite.tenant('ta');
    const b = suite.tenant('tb');
    const watcherA = suite.probe({ token: token(a) });
    const watcherB = suite.probe({ token: token(b) });
    await Promise.all([watcherA.connected(), watcherB.connected()]);
    watcherA.subscribe('queues');
    watcherB.subscribe('queues');
    await eventually(() => expect(watcherA.frames.length + watcherB.frames.length).toBe(2));
    const before = await liveFigures();

    await publisher.updates([gauge(b, 'q1', 1)]);
    // One at a time: rows of other ids may sit in other partitions, read in any order.
    const change = async (queue: string, version: number) => {
      await publisher.updates([gauge(a, queue, version)]);
      await eventually(() => expect(watcherA.versions('queues').get(`${a}/queue_gauge/${queue}`)).toBe(version));
    };
    for (const q of ['q1', 'q2', 'q3']) await change(q, 1);
    await change('q1', 2); // q2 is now a's least recently changed
    await publisher.updates([gauge(a, 'q4', 1)]);

    await eventually(() =>
      expect(watcherA.errors).toEqual([
        {
          code: 'channel_full',
          channel: 'queues',
          message: `the queues channel of tenant ${a} holds its limit of 3 rows on this gateway: the rows changed least recently leave it to make room for new ones`,
        },
      ]),
    );
    expect(watcherB.errors).toEqual([]);
    const late = suite.probe({ token: token(a) });
    await late.connected();
    late.subscribe('queues');
    await eventually(() => expect(late.of('queues')).toHaveLength(1));
    expect([...late.versions('queues').keys()].sort()).toEqual([
      `${a}/queue_gauge/q1`,
      `${a}/queue_gauge/q3`,
      `${a}/queue_gauge/q4`,
    ]);
    expect([...watcherB.versions('queues').keys()]).toEqual([`${b}/queue_gauge/q1`]);

    // The gateway filled its channels from the shared database at start (other specs' tenants too): the figures
    // are judged by what this spec's rows changed in them.
    const after = await liveFigures();
    expect({
      rows: after.rows - before.rows,
      atLimit: after.atLimit - before.atLimit,
      evicted: after.evicted - before.evicted,
    }).toEqual({ rows: 4, atLimit: 1, evicted: 1 });
  });
});
