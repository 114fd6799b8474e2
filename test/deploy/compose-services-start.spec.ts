import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { AGGREGATOR_ENV_KEYS } from '../../apps/aggregator/src/config';
import { GATEWAY_ENV_KEYS } from '../../apps/dashboard-gateway/src/config';
import { INGEST_ENV_KEYS } from '../../apps/ingest/src/config';
import { BUILD_DIR, type ComposeService, ensureBuilt, loadCompose, serviceEnv } from '../support/compose';
import { testEnv, uniqueName } from '../support/env';
import { freePort } from '../support/service-processes';
import { BOOT_TO_CLEAN_STOP, ServiceStatusReader } from '../support/service-status-reader';
import { eventually } from '../support/wait';

// Each service of docker-compose.yml started as compose starts it, without Docker: its command from the compose file,
// run by this Node from the build output (dist/ is the image's /app), with only the environment compose gives it
// (the service's `environment` plus the image's NODE_ENV and PATH), in the compose order: the migrations to completion,
// then ingest, the two aggregator replicas and the gateway until their healthchecks pass, then the simulator and the
// dashboard link. What differs from the compose network, and only that: the hosts `kafka:19092` and `postgres:5432`
// are the test's broker and a fresh database, each container's port is a free local one (two replicas cannot share
// one port outside containers), and the topics and consumer groups carry a namespace of this test.

const compose = loadCompose();
const namespace = uniqueName('compose').replace(/-/g, '_');
const database = namespace.toLowerCase();
const children: { name: string; child: ChildProcess; output: () => string }[] = [];
const ports: Record<string, number> = {};
let databaseUrl = '';
let admin: Pool;
let reader: ServiceStatusReader | undefined;

/** `<service>` or `<service>-<replica>` → the local port standing for the container's port. */
const composePort = (name: string): number => {
  const svc = compose.services[name];
  const env = serviceEnv(svc);
  const key = Object.keys(env).find((k) => k.endsWith('_PORT'));
  return Number(key ? env[key] : Number.NaN);
};

/** `http://ingest:3000` and (inside a container) `http://127.0.0.1:<its port>` → the local process's address. */
function localUrls(text: string, self: string): string {
  return text.replace(/http:\/\/([a-z0-9.-]+):(\d+)/g, (whole, host: string, port: string) => {
    const service = host === '127.0.0.1' ? self.replace(/-\d+$/, '') : host;
    const local = ports[host === '127.0.0.1' ? self : service];
    if (local === undefined || composePort(service) !== Number(port)) return whole;
    return `http://127.0.0.1:${local}`;
  });
}

/** The environment compose gives the service's container, with the differences above. */
function localEnv(name: string, svc: ComposeService, accepted: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production' }; // the image's ENV
  for (const [key, value] of Object.entries(serviceEnv(svc))) {
    if (key === 'DATABASE_URL') {
      expect({ name, host: new URL(value).host }).toEqual({ name, host: 'postgres:5432' });
      env[key] = databaseUrl;
    } else if (key === 'KAFKA_BROKERS') {
      expect({ name, value }).toEqual({ name, value: 'kafka:19092' });
      env[key] = testEnv.brokers.join(',');
    } else if (key.endsWith('_PORT')) env[key] = String(ports[name]);
    else if (key.endsWith('_HOST') && value === '0.0.0.0') env[key] = '127.0.0.1';
    else if (key === 'DASHBOARD_PUBLIC_URL') env[key] = `http://127.0.0.1:${ports['dashboard-gateway']}`;
    else env[key] = value;
  }
  for (const key of ['SWITCHBOARD_TOPIC_NAMESPACE', 'AGGREGATOR_GROUP_PREFIX']) {
    if (accepted.includes(key)) env[key] = namespace;
  }
  return env;
}

/** The service's command (`node …` → this Node), from the build output, as the container runs it. */
function start(name: string, svc: ComposeService, env: NodeJS.ProcessEnv): ChildProcess {
  const [node, ...args] = svc.command ?? [];
  expect({ name, node }).toEqual({ name, node: 'node' });
  const child = spawn(
    process.execPath,
    args.map((a) => localUrls(a, name)),
    { cwd: BUILD_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push({ name, child, output: () => out });
  return child;
}

/** Runs the service's healthcheck command (CMD form) as Docker would, until it passes. */
async function healthy(name: string, svc: ComposeService, env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<void> {
  const test = svc.healthcheck?.test;
  expect({ name, form: Array.isArray(test) ? test[0] : test }).toEqual({ name, form: 'CMD' });
  const [, command, ...args] = test as string[];
  expect({ name, command }).toEqual({ name, command: 'node' });
  const me = children.find((c) => c.name === name);
  await eventually(
    async () => {
      if (me && me.child.exitCode !== null) throw new Error(`${name} exited (${me.child.exitCode}):\n${me.output()}`);
      const check = spawn(
        process.execPath,
        args.map((a) => localUrls(a, name)),
        { cwd: BUILD_DIR, env, stdio: 'ignore' },
      );
      const [code] = (await once(check, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`${name}: healthcheck failed (exit ${code})\n${me?.output().slice(-3000) ?? ''}`);
    },
    timeoutMs,
    500,
  );
}

async function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

beforeAll(async () => {
  await ensureBuilt();
  admin = new Pool({ connectionString: testEnv.databaseUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
  for (const name of ['ingest', 'aggregator-1', 'aggregator-2', 'dashboard-gateway']) ports[name] = await freePort();
}, 240_000);

afterAll(async () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(({ child }) => exited(child)));
  await reader?.close();
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: 'compose-spec', logLevel: logLevel.NOTHING }).admin();
  await kafka.connect();
  try {
    const topics = (await kafka.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length > 0) await kafka.deleteTopics({ topics });
  } finally {
    await kafka.disconnect();
  }
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
}, 60_000);

describe('the compose services, started as compose starts them', () => {
  it('migrate, then ingest, two aggregators and the gateway become ready; the simulator feeds them; the link opens the dashboard; SIGTERM stops each', async () => {
    const s = compose.services;

    // migrations: one-shot, to completion, before anything that depends on them
    const migrated = new Pool({ connectionString: databaseUrl, max: 1 });
    try {
      const before = await migrated.query(`SELECT to_regclass('schema_migrations') AS t`);
      expect(before.rows[0].t).toBeNull(); // a fresh database: the migrate service makes the schema
      const migrate = start('migrate', s.migrate, localEnv('migrate', s.migrate));
      expect(await exited(migrate)).toEqual({ code: 0, signal: null });
      expect((await migrated.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBeGreaterThan(0);

      // the long-running services, each until its own healthcheck passes
      const services: [string, ComposeService, readonly string[]][] = [
        ['ingest', s.ingest, INGEST_ENV_KEYS],
        ['aggregator-1', s.aggregator, AGGREGATOR_ENV_KEYS],
        ['aggregator-2', s.aggregator, AGGREGATOR_ENV_KEYS],
        ['dashboard-gateway', s['dashboard-gateway'], GATEWAY_ENV_KEYS],
      ];
      expect(s.aggregator.deploy?.replicas).toBe(2);
      const envs = new Map<string, NodeJS.ProcessEnv>();
      for (const [name, svc, accepted] of services) {
        const env = localEnv(name, svc, accepted);
        envs.set(name, env);
        start(name, svc, env);
      }
      await Promise.all(services.map(([name, svc]) => healthy(name, svc, envs.get(name) ?? {})));

      // INSTANCE_ID unset: each names itself `<host>-<pid>` on service.status, so the two replicas are told apart
      const status = new ServiceStatusReader(`${namespace}.service.status`);
      reader = status;
      await status.start();
      const statusKey = (name: string) => {
        const pid = children.find((c) => c.name === name)?.child.pid;
        return `${name.replace(/-\d+$/, '')}/${hostname()}-${pid}`;
      };
      expect(statusKey('aggregator-1')).not.toBe(statusKey('aggregator-2'));
      await Promise.all(services.map(([name]) => status.waitFor('Running', { key: statusKey(name) })));

      // the simulator: creates its key for tenant demo, sends through ingest, and the aggregators write its numbers
      const simEnv = localEnv('simulator', s.simulator);
      const simulator = start('simulator', s.simulator, simEnv);
      await healthy('simulator', s.simulator, simEnv);
      await eventually(
        async () => {
          if (simulator.exitCode !== null) throw new Error(`simulator exited (${simulator.exitCode})`);
          const keys = await migrated.query(`SELECT count(*)::int AS n FROM api_keys WHERE tenant = 'demo'`);
          expect(keys.rows[0].n).toBe(1);
          const metrics = await (await fetch(`http://127.0.0.1:${ports.ingest}/metrics`)).text();
          const accepted = metrics
            .split('\n')
            .filter((l) => l.startsWith('ingest_events_accepted_total'))
            .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
          expect(accepted).toBeGreaterThan(0);
          const rows = await migrated.query(`SELECT count(*)::int AS n FROM agent_status WHERE tenant = 'demo'`);
          expect(rows.rows[0].n).toBeGreaterThan(0);
        },
        90_000,
        1000,
      );

      // the dashboard link: signed with the gateway's secret, so the gateway takes its token
      const link = start('dashboard-link', s['dashboard-link'], localEnv('dashboard-link', s['dashboard-link']));
      expect(await exited(link)).toEqual({ code: 0, signal: null });
      const printed = children.find((c) => c.name === 'dashboard-link')?.output() ?? '';
      const match = /^(http:\/\/127\.0\.0\.1:\d+)\/#token=(sbt_\S+)$/m.exec(printed);
      expect(match?.[1]).toBe(`http://127.0.0.1:${ports['dashboard-gateway']}`);
      const to = Math.floor(Date.now() / 60_000) * 60_000;
      const stats = await fetch(
        `${match?.[1]}/v1/queues/sales/stats?from=${new Date(to - 3600_000).toISOString()}&to=${new Date(to).toISOString()}`,
        { headers: { authorization: `Bearer ${match?.[2]}` } },
      );
      expect(stats.status).toBe(200);
      expect((await fetch(`${match?.[1]}/`)).status).toBe(200); // the wallboard page, from the compiled assets

      // SIGTERM, as `docker compose stop` sends (through `init: true`'s tini): the simulator stops, the services shut
      // down cleanly (Stopping → Stopped on service.status; Nest then ends the process with the signal it received)
      for (const { name, child } of children.filter((c) => c.child.exitCode === null)) {
        child.kill('SIGTERM');
        expect({ name, ...(await exited(child)) }).toEqual({ name, code: null, signal: 'SIGTERM' });
        if (name === 'simulator') continue;
        await status.waitFor('Stopped', { key: statusKey(name), timeoutMs: 30_000 });
        expect({ name, statuses: status.statuses(statusKey(name)) }).toEqual({ name, statuses: BOOT_TO_CLEAN_STOP });
      }
    } finally {
      await migrated.end();
    }
  }, 300_000);
});
