import { Logger, type ValueProvider } from '@nestjs/common';
import { guardPool, type StreamsLogger } from '@switchboard/streams';
import { Pool, type PoolConfig } from 'pg';

/** A Nest logger as the streams library's logger. */
export function nestStreamsLogger(log: Logger): StreamsLogger {
  return { debug: (m) => log.debug(m), info: (m) => log.log(m), warn: (m) => log.warn(m), error: (m) => log.error(m) };
}

/**
 * The service's Postgres pool, guarded: pg emits `error` on the pool when an idle connection dies (the database
 * restarted, the network went), and an `error` event nobody listens to kills a Node process. With the guard, a
 * Postgres outage costs the requests that need the database (they fail, readiness says so), never the process.
 */
export function databasePool(
  connectionString: string,
  service: string,
  options: Omit<PoolConfig, 'connectionString'> = {},
): Pool {
  const pool = new Pool({ max: 10, application_name: service, ...options, connectionString });
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
