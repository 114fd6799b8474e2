// `npm start`: the whole system on this machine. Installs what is missing, brings up Kafka and PostgreSQL,
// migrates, then runs the services in the foreground with prefixed logs. Ctrl-C stops the services
// (SIGTERM, each shuts down gracefully) and then whatever infrastructure this command started.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, up } from './stack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const services = [
  { name: 'ingest', entry: 'apps/ingest/src/main.ts', env: { INGEST_PORT: '3000' } },
  {
    name: 'aggregator-1',
    entry: 'apps/aggregator/src/main.ts',
    env: { AGGREGATOR_PORT: '3001', INSTANCE_ID: 'aggregator-1' },
  },
  {
    name: 'aggregator-2',
    entry: 'apps/aggregator/src/main.ts',
    env: { AGGREGATOR_PORT: '3011', INSTANCE_ID: 'aggregator-2' },
  },
  { name: 'gateway', entry: 'apps/dashboard-gateway/src/main.ts', env: { DASHBOARD_GATEWAY_PORT: '3002' } },
];

function prefixLines(name, stream, out) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) out.write(`${name.padEnd(13)}| ${line}\n`);
  });
}

/** Resolves when the URL answers 200, or rejects after the timeout. */
async function waitForReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

const started = await up();
const children = services.map((svc) => launch(svc.name, [resolve(root, svc.entry)], svc.env));

function launch(name, args, env = {}) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => console.log(`[switchboard] ${name} exited (${signal ?? code})`));
  return child;
}

// Live traffic for a demo tenant, in real time, once ingest takes requests (a key is created for it).
await waitForReady('http://127.0.0.1:3000/health/ready');
children.push(
  launch('simulator', [
    resolve(root, 'apps/cli/src/main.ts'),
    'simulate',
    '--tenant',
    'demo',
    '--duration',
    '1440',
    '--speed',
    '1',
    '--no-progress',
  ]),
);
console.log(
  '[switchboard] running: ingest http://127.0.0.1:3000 (docs /docs), aggregators :3001 and :3011, gateway :3002, simulator for tenant "demo" — Ctrl-C to stop',
);

// The dashboard link for tenant demo, once the gateway takes requests: `switchboard tokens create` signs it with the
// secret the gateway reads (DASHBOARD_TOKEN_SECRET, else .data/dashboard-token.secret).
// The services panel is the operators' (tenant `operations`, the gateway's default DASHBOARD_OPERATOR_TENANT): the
// same link with the operator role, at /services.
waitForReady('http://127.0.0.1:3002/health/ready')
  .then(async () => {
    console.log(`[switchboard] dashboard for tenant "demo" (8 h): ${await dashboardLink('demo', 'supervisor')}`);
    const operator = await dashboardLink('operations', 'operator');
    console.log(`[switchboard] services panel (8 h): ${operator.replace('/#token=', '/services#token=')}`);
  })
  .catch((err) => console.log(`[switchboard] no dashboard link: ${err.message}`));

function dashboardLink(tenant, role) {
  return new Promise((done, fail) => {
    const args = ['tokens', 'create', '--tenant', tenant, '--role', role];
    const cli = spawn(process.execPath, [resolve(root, 'bin/switchboard'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    cli.stdout.on('data', (c) => (out += c));
    cli.stderr.on('data', (c) => (err += c));
    cli.on('exit', (code) => (code === 0 ? done(out.split('\n')[0]) : fail(new Error(err.trim() || `exit ${code}`))));
  });
}

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log('[switchboard] stopping services…');
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null
        ? undefined
        : new Promise((r) => {
            c.once('exit', r);
            c.kill('SIGTERM');
          }),
    ),
  );
  await down(started);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
