import type { Pool, PoolClient } from 'pg';
import type { StreamsLogger } from '../core/logger';

const guarded = new WeakSet<Pool>();

/**
 * pg emits `error` on a pool when an idle client's connection dies (the server restarted, the network went),
 * and on a checked-out client when its connection dies between two queries. An `error` event without a listener
 * is thrown by Node, and kills the process: a Postgres outage must not. Nothing is lost by listening: the pool
 * drops the broken idle client by itself, and the next query on a broken checked-out client fails, so its caller
 * sees the outage (and reports it once, see Outage). Idempotent per pool; the app's own listeners still run.
 */
export function guardPool(pool: Pool, logger: StreamsLogger): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  pool.on('error', (err) => logger.debug(`Postgres: an idle pooled connection failed: ${err.message}`));
}

/**
 * Borrows a client for one unit of work with an `error` listener for as long as it is out of the pool (see
 * guardPool); `release(broken)` returns it, destroying it when `broken`.
 */
export async function borrowClient(pool: Pool): Promise<{ client: PoolClient; release: (broken?: boolean) => void }> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    client,
    release: (broken = false) => {
      client.removeListener('error', ignore);
      client.release(broken);
    },
  };
}
