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

const started = await up();
const children = services.map((svc) => {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(root, svc.entry)], {
    cwd: root,
    env: { ...process.env, ...svc.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(svc.name, child.stdout, process.stdout);
  prefixLines(svc.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => console.log(`[switchboard] ${svc.name} exited (${signal ?? code})`));
  return child;
});
console.log('[switchboard] running: ingest http://127.0.0.1:3000, gateway http://127.0.0.1:3002 — Ctrl-C to stop');

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
