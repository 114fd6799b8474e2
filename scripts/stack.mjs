// The infrastructure the services need on this machine: Kafka (from Maven jars) and PostgreSQL
// (DATABASE_URL, or an embedded server when none answers), plus the migrations.
//
//   node scripts/stack.mjs up|down|status
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kafka from '../tools/kafka/broker.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a TypeScript entry point of ours (migrations, CLI) in this Node, compiled on the fly by swc. */
export function runTs(file, args = [], opts = {}) {
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', resolve(root, file), ...args], {
    cwd: root,
    stdio: 'inherit',
    ...opts,
  });
  if (res.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${res.status})`);
}

/**
 * Brings the infrastructure up, runs a TypeScript entry (relative to the root) with `args`, stops what this call
 * started; returns the exit code (1 when the entry failed). `npm run bench` and `npm run chaos` are this.
 */
export async function runWithStack(file, args) {
  const started = await up();
  try {
    runTs(file, args);
    return 0;
  } catch (err) {
    console.error(err.message);
    return 1;
  } finally {
    await down(started);
  }
}

/** Brings the infrastructure up; returns what this call started, so the caller can stop just that. */
export async function up({ migrate = true } = {}) {
  ensureDeps();
  const postgres = await import('../tools/postgres/postgres.mjs');
  const t0 = Date.now();
  const kafkaStarted = await kafka.start();
  console.log(
    kafkaStarted ? `[switchboard] Kafka started in ${Date.now() - t0} ms` : '[switchboard] Kafka already running',
  );
  const pgMode = await postgres.ensure();
  console.log(`[switchboard] PostgreSQL ${pgMode === 'embedded' ? 'embedded, started' : 'reachable'}`);
  if (migrate) runTs('migrations/migrate.ts', ['up']);
  return { kafkaStarted, postgresStarted: pgMode === 'embedded' };
}

export async function down(started = { kafkaStarted: true, postgresStarted: true }) {
  if (started.kafkaStarted && (await kafka.stop())) console.log('[switchboard] Kafka stopped');
  if (started.postgresStarted) {
    const postgres = await import('../tools/postgres/postgres.mjs');
    if (await postgres.stop()) console.log('[switchboard] embedded PostgreSQL stopped');
  }
}

async function main(cmd) {
  if (cmd === 'up') await up();
  else if (cmd === 'down') await down();
  else if (cmd === 'status') {
    const k = await kafka.status();
    console.log(
      k.running
        ? `Kafka: running (pid ${k.pid}) on 127.0.0.1:${k.port}`
        : `Kafka: stopped${k.listening ? ` (port ${k.port} taken by another process)` : ''}`,
    );
    ensureDeps();
    spawnSync(process.execPath, [resolve(root, 'tools/postgres/postgres.mjs'), 'status'], { stdio: 'inherit' });
  } else throw new Error(`Unknown command "${cmd}": use up, down or status.`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? 'status').catch((err) => {
    console.error(err.message ?? err);
    process.exit(1);
  });
}
