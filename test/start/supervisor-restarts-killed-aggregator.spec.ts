import type { ServiceStatusRecord } from '@switchboard/streams';
import { Probe, SECRET, token } from '../gateway-live/live-harness';
import { testEnv, uniqueName } from '../support/env';
import { alive, NpmStart } from '../support/npm-start';
import { ServiceStatusReader } from '../support/service-status-reader';
import { runSwitchboard } from '../support/switchboard-cli';
import { eventually } from '../support/wait';

// `npm start` as a person runs it (its own ports, namespace and group prefix; the suite's broker and database),
// some traffic sent through ingest, then aggregator-1 SIGKILLed twice: each time the supervisor publishes the
// RuntimeError the process could not, restarts it, and it is Running again within 30 s under the same key, as
// `service.status` and the gateway's services panel (an operator's socket) show; the numbers stay exact
// (`switchboard verify`), and Ctrl-C (SIGINT) leaves no process behind.
const KEY = 'aggregator/aggregator-1';
const BOOT = ['QueuedForDeployment', 'Deploying', 'Starting', 'Running'];

describe('npm start restarts an aggregator killed with SIGKILL', () => {
  const start = new NpmStart({ args: ['--no-simulate'], env: { LOG_FORMAT: 'json', DASHBOARD_TOKEN_SECRET: SECRET } });
  const tenant = uniqueName('start-tenant');
  let status: ServiceStatusReader;
  let panel: Probe | undefined;
  const pids = new Set<number>();

  afterAll(async () => {
    start.kill();
    panel?.close();
    await status?.close();
  });

  const latest = (key: string): ServiceStatusRecord | null | undefined =>
    status.received.filter((r) => r.key === key).at(-1)?.record;
  const runningPid = (key: string) =>
    eventually(
      () => {
        const record = latest(key);
        expect(record?.status).toBe('Running');
        return (record as ServiceStatusRecord).pid;
      },
      120_000,
      200,
    );

  it('is Running again within 30 s each time, statuses in order on the topic and the panel, numbers exact; SIGINT leaves no process', async () => {
    await start.start();
    status = new ServiceStatusReader(`${start.namespace}.service.status`);
    await status.start();
    const keys = ['ingest/ingest-1', KEY, 'aggregator/aggregator-2', 'dashboard-gateway/gateway-1'];
    try {
      for (const key of keys) pids.add(await runningPid(key));
    } catch (err) {
      console.log(`npm start output:\n${start.tail()}`);
      throw err;
    }

    // The services panel, as an operator's browser has it.
    await eventually(
      async () => expect((await fetch(`http://127.0.0.1:${start.ports.gateway}/health/ready`)).status).toBe(200),
      60_000,
      500,
    );
    panel = new Probe(`http://127.0.0.1:${start.ports.gateway}`, { token: token('operations', 'operator') });
    await panel.connected();
    panel.subscribe('services');
    const shown = () =>
      (panel as Probe)
        .of('services')
        .flatMap((f) => f.rows)
        .filter((r) => r.id === KEY)
        .map((r) => (r.row as { status?: string } | null)?.status)
        .filter((s, i, all) => s !== all[i - 1]);
    await eventually(() => expect(shown()).toEqual(['Running']), 30_000, 200);

    // Traffic through ingest: ten simulated minutes of three hours ago, as fast as ingest takes it.
    const sim = runSwitchboard(
      [
        'simulate',
        '--tenant',
        tenant,
        '--url',
        `http://127.0.0.1:${start.ports.ingest}`,
        '--start',
        String(Date.now() - 3 * 3600_000),
        '--duration',
        '10',
        '--speed',
        'max',
        '--no-progress',
      ],
      { SWITCHBOARD_TOPIC_NAMESPACE: start.namespace },
    );
    expect(sim.status).toBe(0);

    for (let kill = 1; kill <= 2; kill++) {
      const pid = await runningPid(KEY);
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      const restarted = await eventually(
        () => {
          const record = latest(KEY);
          expect(record?.status).toBe('Running');
          expect(record?.pid).not.toBe(pid);
          return record as ServiceStatusRecord;
        },
        30_000,
        200,
      );
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      pids.add(restarted.pid);
      await eventually(() => expect(shown().at(-1)).toBe('Running'), 10_000, 200); // on the panel too
    }
    expect(status.statuses(KEY)).toEqual([...BOOT, 'RuntimeError', ...BOOT, 'RuntimeError', ...BOOT]);
    const crashes = status.received.filter((r) => r.key === KEY && r.record?.status === 'RuntimeError');
    expect(crashes.map((r) => r.record?.detail)).toEqual([
      'exited (SIGKILL); restarting',
      'exited (SIGKILL); restarting',
    ]);
    expect(start.output.filter((l) => l.startsWith('[switchboard] aggregator-1 exited (SIGKILL)'))).toHaveLength(2);
    // The panel gets the latest status of a row per frame (statuses a few milliseconds apart, such as
    // QueuedForDeployment and Deploying, may share one): Running, then per kill RuntimeError and the boot statuses
    // in their order, up to Running.
    await eventually(
      () => {
        const [before, ...restarts] = shown().join(' ').split(' RuntimeError ');
        expect(before).toBe('Running');
        expect(restarts).toHaveLength(2);
        for (const boot of restarts) {
          expect(boot.split(' ')).toEqual(BOOT.filter((s) => boot.split(' ').includes(s)));
          expect(boot.endsWith('Running')).toBe(true);
        }
      },
      10_000,
      200,
    );

    // Exact: once the aggregators caught up, the batch recomputation from the topics equals Postgres.
    await eventually(
      () => {
        const verify = runSwitchboard(['verify', '--tenant', tenant, '--namespace', start.namespace], {
          DATABASE_URL: testEnv.databaseUrl,
        });
        expect(verify.stdout).toMatch(
          /^0 differences in [1-9]\d* rows, recomputed from [1-9]\d* events \(0 unreadable\)$/m,
        );
        expect(verify.status).toBe(0);
      },
      180_000,
      5000,
    );

    expect(await start.interrupt()).toEqual({ code: 0, signal: null });
    expect([...pids].filter(alive)).toEqual([]);
    expect(start.leftovers()).toEqual([]);
    for (const key of keys) expect(status.statuses(key).slice(-2)).toEqual(['Stopping', 'Stopped']);
  }, 600_000);
});
