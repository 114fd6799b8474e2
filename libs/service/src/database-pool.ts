import type { ConnectionOptions } from 'node:tls';
import { Logger, type ValueProvider } from '@nestjs/common';
import { guardPool, type StreamsLogger } from '@switchboard/streams';
import { Pool, type PoolConfig } from 'pg';
import { z } from 'zod';
import { EnvError, envIssues, readEnvFile } from './env-files';
import { sharedEnv } from './env-schemas';

/** A Nest logger as the streams library's logger. */
export function nestStreamsLogger(log: Logger): StreamsLogger {
  return { debug: (m) => log.debug(m), info: (m) => log.log(m), warn: (m) => log.warn(m), error: (m) => log.error(m) };
}

const databaseEnvSchema = z.object({
  DATABASE_URL: sharedEnv.DATABASE_URL,
  /** The CA that signed the server's certificate (PEM), for sslmode require, verify-ca and verify-full. */
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
  /** Postgres cancels a statement that runs longer (unset: no limit; the gateway has its own). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  /** A connection attempt that takes longer fails (a database behind a dead route must not hang a request). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
});

/** Every variable loadDatabaseConnection reads. */
export const DATABASE_ENV_KEYS: readonly string[] = Object.keys(databaseEnvSchema.shape);

/** How a Switchboard process reaches Postgres. */
export interface DatabaseConnection {
  /** DATABASE_URL without its TLS parameters (they are in `ssl`). */
  url: string;
  /** TLS as `sslmode` asks for it; false: plaintext. */
  ssl: false | ConnectionOptions;
  statementTimeoutMs?: number;
  connectTimeoutMs: number;
}

/** The URL parameters that decide TLS, taken out of the URL so that only ours decide (pg reads them differently). */
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'ssl', 'sslcert', 'sslkey', 'uselibpqcompat'];
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * `sslmode` as libpq means it: disable/allow/prefer → plaintext (node-postgres cannot fall back, so "prefer" does
 * not try TLS); require → TLS, the certificate checked only when a CA is given (as libpq does with a root
 * certificate); verify-ca → TLS with the chain checked, not the host name; verify-full → chain and host name.
 * The CA: DATABASE_SSL_CA_FILE, or the URL's `sslrootcert` (a path); none: the system's CAs.
 */
function tlsOf(url: URL, caFile: string | undefined, issues: string[]): false | ConnectionOptions {
  const mode = url.searchParams.get('sslmode') ?? (caFile ? undefined : 'disable');
  const rootCert = url.searchParams.get('sslrootcert') ?? undefined;
  for (const p of ['sslcert', 'sslkey'])
    if (url.searchParams.has(p)) issues.push(`DATABASE_URL: ${p} is not supported (client certificates for Postgres)`);
  if (mode === undefined) {
    issues.push('DATABASE_SSL_CA_FILE: only used with sslmode=require, verify-ca or verify-full in DATABASE_URL');
    return false;
  }
  if (!SSL_MODES.includes(mode)) {
    issues.push(`DATABASE_URL: sslmode must be one of ${SSL_MODES.join(', ')} (it is ${mode})`);
    return false;
  }
  if (['disable', 'allow', 'prefer'].includes(mode)) {
    if (caFile)
      issues.push(`DATABASE_SSL_CA_FILE: only used with sslmode=require, verify-ca or verify-full (it is ${mode})`);
    return false;
  }
  const caSource = caFile ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL';
  const caPath = caFile ?? (rootCert && rootCert !== 'system' ? rootCert : undefined);
  const ca = caPath ? readEnvFile(caSource, caPath, issues) : undefined;
  if (mode === 'require' && !ca) return { rejectUnauthorized: false };
  return {
    ...(ca && { ca }),
    rejectUnauthorized: true,
    // verify-ca (and require with a CA): the chain only, any host name
    ...(mode !== 'verify-full' && { checkServerIdentity: () => undefined }),
  };
}

/** The Postgres connection from the environment, validated once; an EnvError names each bad variable. */
export function loadDatabaseConnection(env: NodeJS.ProcessEnv = process.env): DatabaseConnection {
  const parsed = databaseEnvSchema.safeParse(env);
  if (!parsed.success) throw new EnvError(envIssues(parsed.error));
  const e = parsed.data;
  const issues: string[] = [];
  const url = new URL(e.DATABASE_URL);
  const ssl = tlsOf(url, e.DATABASE_SSL_CA_FILE, issues);
  if (issues.length > 0) throw new EnvError(issues);
  for (const p of TLS_PARAMETERS) url.searchParams.delete(p);
  return Object.freeze({
    url: url.toString(),
    ssl,
    ...(e.DATABASE_STATEMENT_TIMEOUT_MS !== undefined && { statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS }),
    connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
  });
}

/** The pool configuration of a connection: TLS, timeouts, then the caller's own options on top. */
export function poolConfig(
  db: DatabaseConnection,
  service: string,
  options: Omit<PoolConfig, 'connectionString'> = {},
): PoolConfig {
  return {
    max: 10,
    application_name: service,
    // Always given, false included: otherwise pg reads PGSSLMODE behind the configuration's back.
    ssl: db.ssl,
    connectionTimeoutMillis: db.connectTimeoutMs,
    ...(db.statementTimeoutMs !== undefined && { statement_timeout: db.statementTimeoutMs }),
    ...options,
    connectionString: db.url,
  };
}

/**
 * The service's Postgres pool, guarded: pg emits `error` on the pool when an idle connection dies (the database
 * restarted, the network went), and an `error` event nobody listens to kills a Node process. With the guard, a
 * Postgres outage costs the requests that need the database (they fail, readiness says so), never the process.
 * `db` is a DatabaseConnection (loadDatabaseConnection) or a plain URL (tests, tools).
 */
export function databasePool(
  db: DatabaseConnection | string,
  service: string,
  options: Omit<PoolConfig, 'connectionString'> = {},
): Pool {
  const connection = typeof db === 'string' ? { url: db, ssl: false as const, connectTimeoutMs: 10_000 } : db;
  const pool = new Pool(poolConfig(connection, service, options));
  guardPool(pool, nestStreamsLogger(new Logger(`${service}:postgres`)));
  return pool;
}

/**
 * The injection token of an app's one Postgres pool: `constructor(@Inject(PG_POOL) pool: Pool)`. Every app provides
 * it with `databasePoolProvider` and ends the pool itself, in its own shutdown order (after what still writes).
 */
export const PG_POOL = Symbol('PG_POOL');

/** Provides the app's pool (from `databasePool`) under `PG_POOL`. */
export function databasePoolProvider(pool: Pool): ValueProvider<Pool> {
  return { provide: PG_POOL, useValue: pool };
}
