import type { SpawnSyncReturns } from 'node:child_process';
import { Probe, SECRET, token } from '../gateway-live/live-harness';
import { testEnv, uniqueName } from '../support/env';
import { ServiceProcesses } from '../support/service-processes';
import { runSwitchboard } from '../support/switchboard-cli';
import { eventually } from '../support/wait';

/** What one end-to-end run left behind: the services' logs and the CLI's outputs, for the log check. */
export interface EndToEndRun {
  services: ServiceProcesses;
  cli: SpawnSyncReturns<string>[];
}

/**
 * ingest → aggregator → gateway over the Kafka connection `kafkaEnv` describes (the variables an operator sets, and
 * any other to override, such as LOG_LEVEL): the
 * three services started from source with only that and the database, ten simulated minutes sent through ingest, the
 * aggregator's row changes arriving on a supervisor's socket of the gateway (read from Kafka), and `switchboard verify`
 * (the CLI over the same connection) finding Postgres equal to a batch recomputation of the input topics.
 */
export async function endToEnd(kafkaEnv: Record<string, string>): Promise<EndToEndRun> {
  const namespace = uniqueName('sec').replace(/-/g, '_');
  const tenant = uniqueName('sec-tenant');
  const env = {
    DATABASE_URL: testEnv.databaseUrl,
    SWITCHBOARD_TOPIC_NAMESPACE: namespace,
    AGGREGATOR_GROUP_PREFIX: namespace,
    DASHBOARD_TOKEN_SECRET: SECRET,
    LOG_LEVEL: 'info',
    ...kafkaEnv,
  };
  const services = new ServiceProcesses();
  const cli: SpawnSyncReturns<string>[] = [];
  let probe: Probe | undefined;
  try {
    await services.start('ingest', 'ingest', env);
    await services.start('aggregator', 'aggregator', env);
    await services.start('gateway', 'dashboard-gateway', env);
    await Promise.all(['ingest', 'aggregator', 'gateway'].map((s) => services.ready(s)));

    probe = new Probe(`http://127.0.0.1:${services.port('gateway')}`, { token: token(tenant) });
    await probe.connected();
    probe.subscribe('queues');
    await eventually(() => expect((probe as Probe).of('queues').map((f) => f.type)).toContain('snapshot'), 30_000, 100);

    const simulate = runSwitchboard(
      [
        'simulate',
        '--tenant',
        tenant,
        '--url',
        `http://127.0.0.1:${services.port('ingest')}`,
        '--start',
        String(Date.now() - 12 * 60_000),
        '--duration',
        '10',
        '--speed',
        'max',
        '--no-progress',
      ],
      env,
    );
    cli.push(simulate);
    expect({ status: simulate.status, stderr: simulate.stderr }).toEqual({ status: 0, stderr: expect.any(String) });

    // the aggregator's row changes reach the gateway through Kafka: deltas after the (empty) snapshot
    await eventually(
      () =>
        expect(
          (probe as Probe).of('queues').filter((f) => f.type === 'delta' && f.rows.length > 0).length,
        ).toBeGreaterThan(0),
      90_000,
      250,
    );

    // the CLI reads the input topics over the same connection: once the aggregator caught up, nothing differs
    await eventually(
      () => {
        const verify = runSwitchboard(['verify', '--tenant', tenant, '--namespace', namespace], env);
        cli.push(verify);
        expect(verify.stdout).toMatch(
          /^0 differences in [1-9]\d* rows, recomputed from [1-9]\d* events \(0 unreadable\)$/m,
        );
        expect(verify.status).toBe(0);
      },
      180_000,
      3000,
    );
    return { services, cli };
  } finally {
    probe?.close();
    await services.stopAll();
  }
}
