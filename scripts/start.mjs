// `npm start`: the whole system on this machine. Installs what is missing, brings up Kafka and PostgreSQL,
// migrates, then runs the services in the foreground under a supervisor (scripts/supervisor.mjs) that restarts
// one that exits unexpectedly, with back-off. Ctrl-C stops the services (SIGTERM, each shuts down gracefully) and
// then whatever infrastructure this command started. `npm start -- --help` lists the options.
//
// Every port follows the environment (INGEST_PORT, AGGREGATOR_PORT: the first aggregator's, the others' 10 apart,
// DASHBOARD_GATEWAY_PORT, KAFKA_PORT / KAFKA_BROKERS, DATABASE_URL, SWITCHBOARD_TOPIC_NAMESPACE), defaults as the
// apps have them.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';
import { down, up } from './stack.mjs';
import { Supervisor, streamsStatusPublisher } from './supervisor.mjs';
import { createTerminal } from './terminal.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

ensureDeps(); // commander and pino-pretty are dependencies
const { Command, InvalidArgumentError } = await import('commander');

const whole = (name, min) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  return n;
};
const options = new Command('npm start --')
  .description('the whole system on this machine: Kafka, PostgreSQL, migrations, the services (Ctrl-C stops it)')
  .option('--no-simulate', 'no simulator traffic')
  .option('--tenants <n>', 'simulated tenants: demo, demo-2, … demo-N', whole('tenants', 1), 1)
  .option(
    '--rate <factor>',
    'simulator load: call arrivals and meter readings × factor',
    (v) => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('rate must be a positive number');
      return n;
    },
    1,
  )
  .option('--aggregators <n>', 'aggregator instances in the consumer group', whole('aggregators', 1), 2)
  .showHelpAfterError()
  .parse(process.argv)
  .opts();

const env = process.env;
const ports = {
  ingest: Number(env.INGEST_PORT ?? 3000),
  aggregator: Number(env.AGGREGATOR_PORT ?? 3001),
  gateway: Number(env.DASHBOARD_GATEWAY_PORT ?? 3002),
};
const brokers = env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? 9092}`;
/** What every service, the simulator and the CLI run with. */
const serviceEnv = {
  ...env,
  KAFKA_BROKERS: brokers,
  INGEST_PORT: String(ports.ingest),
  DASHBOARD_GATEWAY_PORT: String(ports.gateway),
  INGEST_URL: `http://127.0.0.1:${ports.ingest}`,
};
const live = (port) => `http://127.0.0.1:${port}/health/live`;
const aggregatorPorts = Array.from({ length: options.aggregators }, (_, i) => ports.aggregator + 10 * i);
const tenants = Array.from({ length: options.simulate ? options.tenants : 0 }, (_, i) =>
  i === 0 ? 'demo' : `demo-${i + 1}`,
);

/** Before anything starts: a LOG_FORMAT it does not know stops here, in one line. */
const terminal = (() => {
  try {
    return createTerminal();
  } catch (err) {
    console.error(`[switchboard] ${err.message}`);
    process.exit(1);
  }
})();
const started = await up();
const supervisor = new Supervisor({
  root,
  env: serviceEnv,
  terminal,
  statusPublisher: () =>
    streamsStatusPublisher({
      root,
      env: serviceEnv,
      topicNamespace: env.SWITCHBOARD_TOPIC_NAMESPACE,
    }),
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  terminal.say('stopping services…');
  await supervisor.stop();
  await down(started);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown); // the terminal closed: the services are in process groups of their own

const app = (entry) => resolve(root, entry);
/** A service with an HTTP port: Running once its liveness answers; `<service>/<instanceId>` on service.status. */
const httpService = ({ name, entry, service, instanceId, port, env = {} }) => ({
  name,
  args: [app(entry)],
  env: { INSTANCE_ID: instanceId, ...env },
  liveUrl: live(port),
  status: { service, instanceId },
});
supervisor.add(
  httpService({
    name: 'ingest',
    entry: 'apps/ingest/src/main.ts',
    service: 'ingest',
    instanceId: 'ingest-1',
    port: ports.ingest,
  }),
);
aggregatorPorts.forEach((port, i) => {
  const instanceId = `aggregator-${i + 1}`;
  supervisor.add(
    httpService({
      name: instanceId,
      entry: 'apps/aggregator/src/main.ts',
      service: 'aggregator',
      instanceId,
      port,
      env: { AGGREGATOR_PORT: String(port) },
    }),
  );
});
supervisor.add(
  httpService({
    name: 'gateway',
    entry: 'apps/dashboard-gateway/src/main.ts',
    service: 'dashboard-gateway',
    instanceId: 'gateway-1',
    port: ports.gateway,
  }),
);

/** Resolves when the URL answers 200, or rejects after the timeout. */
async function waitForReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

// Live traffic for the demo tenants, in real time, once ingest takes requests (a key is created for each).
await waitForReady(`http://127.0.0.1:${ports.ingest}/health/ready`).catch((err) => terminal.say(err.message));
for (const tenant of tenants) {
  supervisor.add({
    name: tenants.length === 1 ? 'simulator' : `sim-${tenant}`,
    args: [
      app('apps/cli/src/main.ts'),
      'simulate',
      '--profile',
      'demo',
      '--tenant',
      tenant,
      '--seed',
      tenant,
      '--duration',
      '1440',
      '--speed',
      '1',
      '--rate',
      String(options.rate),
      '--no-progress',
    ],
    restart: 'on-failure',
  });
}
const aggregatorList = aggregatorPorts.map((p) => `:${p}`).join(', ');
const simulating = tenants.length === 0 ? 'no simulator' : `simulator for ${tenants.map((t) => `"${t}"`).join(', ')}`;
terminal.say(
  `running: ingest http://127.0.0.1:${ports.ingest} (docs /docs), aggregators ${aggregatorList}, gateway :${ports.gateway}, ${simulating} — Ctrl-C to stop`,
);

// The dashboard link for tenant demo, once the gateway takes requests: `switchboard tokens create` signs it with the
// secret the gateway reads (DASHBOARD_TOKEN_SECRET, else .data/dashboard-token.secret).
// The energy page beside it: an analyst link for the same tenant, at /energy (its own token: an analyst reads energy).
// The services panel is the operators' (tenant `operations`, the gateway's default DASHBOARD_OPERATOR_TENANT): the
// same link with the operator role, at /services.
waitForReady(`http://127.0.0.1:${ports.gateway}/health/ready`)
  .then(async () => {
    terminal.say(`dashboard for tenant "demo" (8 h): ${await dashboardLink('demo', 'supervisor')}`);
    const energy = await dashboardLink('demo', 'analyst');
    terminal.say(`energy for tenant "demo" (8 h): ${energy.replace('/#token=', '/energy#token=')}`);
    const operator = await dashboardLink('operations', 'operator');
    terminal.say(`services panel (8 h): ${operator.replace('/#token=', '/services#token=')}`);
  })
  .catch((err) => terminal.say(`no dashboard link: ${err.message}`));

function dashboardLink(tenant, role) {
  return new Promise((done, fail) => {
    const args = ['tokens', 'create', '--tenant', tenant, '--role', role];
    const cli = spawn(process.execPath, [resolve(root, 'bin/switchboard'), ...args], {
      cwd: root,
      env: serviceEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    cli.stdout.on('data', (c) => (out += c));
    cli.stderr.on('data', (c) => (err += c));
    cli.on('exit', (code) => (code === 0 ? done(out.split('\n')[0]) : fail(new Error(err.trim() || `exit ${code}`))));
  });
}
