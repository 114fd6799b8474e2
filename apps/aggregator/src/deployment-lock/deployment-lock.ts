import { interruptibleSleep, type StreamsLogger } from '@switchboard/streams';
import { Client, type Pool } from 'pg';
import { DEPLOYMENT_LOCK, describeHolders, holderOf, LOCK_HOLDERS_SQL, type LockHolder } from './lock-holders';

const KEY = [DEPLOYMENT_LOCK.classId, DEPLOYMENT_LOCK.objId];

/**
 * A session of its own (not a slot of the app's pool, whose size the pipelines need) on the pool's database, with
 * the same settings (TLS, application_name, timeouts), that lives as long as the lock it holds.
 */
async function lockSession(pool: Pool, onError: (err: Error) => void): Promise<Client> {
  const client = new Client(pool.options);
  client.on('error', onError);
  try {
    await client.connect();
  } catch (err) {
    client.removeListener('error', onError);
    throw err;
  }
  return client;
}

async function holders(client: Client): Promise<LockHolder[]> {
  const { rows } = await client.query(LOCK_HOLDERS_SQL, KEY);
  return rows.map(holderOf);
}

/**
 * What a live aggregator holds while it runs: the deployment lock, shared (instances hold it together). While a
 * replay holds it, acquire() waits — saying so once a minute, naming the replay's session — and goes on when the
 * replay ends: an aggregator started during a replay starts after it, on the rebuilt tables, rather than failing
 * and being restarted in a loop. Postgres away at start does not hold the start up (the pipelines start paused and
 * wait for it): the lock is taken in the background when it answers, and again after a lost connection.
 */
export class AggregatorLock {
  private client: Client | undefined;
  private closed = false;
  private interrupt: (() => void) | undefined;
  private retrying = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: StreamsLogger,
    private readonly options: { retryMs?: number; sayEveryMs?: number } = {},
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  /** Resolves once the lock is held (or Postgres is away: then in the background); rejects on release() first. */
  async acquire(): Promise<void> {
    let saidAt = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (this.closed) throw new Error('the aggregator stopped while waiting for a replay to finish');
      let heldBy: LockHolder[] | undefined;
      try {
        heldBy = await this.attempt();
      } catch (err) {
        this.logger.warn(
          `the deployment lock cannot be taken now (${(err as Error).message}); the aggregator starts and takes it when Postgres answers`,
        );
        this.retryInBackground();
        return;
      }
      if (this.closed) throw new Error('the aggregator stopped while waiting for a replay to finish');
      if (!heldBy) {
        if (saidAt > Number.NEGATIVE_INFINITY) this.logger.info('the replay finished: the aggregator starts');
        return;
      }
      const now = Date.now();
      if (now - saidAt >= (this.options.sayEveryMs ?? 60_000)) {
        saidAt = now;
        this.logger.warn(
          `waiting to start: a switchboard replay rebuilds this database's aggregate tables (the lock is held by ${describeHolders(heldBy)}); the aggregator starts when it finished`,
        );
      }
      await this.sleep();
    }
  }

  /** One try: undefined once held, else who holds it exclusively (a replay). Rejects when Postgres does not answer. */
  private async attempt(): Promise<LockHolder[] | undefined> {
    const client = await lockSession(this.pool, (err) => this.lost(client, err));
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock_shared($1, $2) AS ok', KEY);
      if (rows[0].ok && !this.closed) {
        this.client = client;
        return undefined;
      }
      const heldBy = rows[0].ok ? [] : await holders(client);
      await client.end().catch(() => undefined);
      return heldBy;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  private async sleep(): Promise<void> {
    const sleep = interruptibleSleep(this.options.retryMs ?? 1000);
    this.interrupt = sleep.interrupt;
    await sleep.done;
    this.interrupt = undefined;
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.logger.warn(`the deployment lock's connection to Postgres failed (${err.message}); taking the lock again`);
    this.retryInBackground();
  }

  /** Takes the lock again once Postgres answers (a replay cannot start meanwhile: our groups have members). */
  private retryInBackground(): void {
    if (this.retrying) return;
    this.retrying = true;
    void (async () => {
      while (!this.closed && !this.client) {
        await this.sleep();
        if (this.closed) break;
        try {
          const heldBy = await this.attempt();
          if (heldBy && heldBy.length > 0)
            this.logger.warn(`the deployment lock is held by ${describeHolders(heldBy)}; trying again`);
        } catch (e) {
          this.logger.debug(`the deployment lock is not taken again yet: ${(e as Error).message}`);
        }
      }
      this.retrying = false;
    })();
  }

  /** Lets the lock go (its session ends); a wait in acquire() ends with a rejection. */
  async release(): Promise<void> {
    this.closed = true;
    this.interrupt?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** A replay's hold of the deployment lock, exclusive. */
export interface ReplayLock {
  release(): Promise<void>;
}

/**
 * Takes the deployment lock exclusively for a replay, at once or not at all: granted, the hold; held by anyone
 * (live aggregators, shared; another replay, exclusive), the holders, so the caller can refuse naming them.
 */
export async function tryReplayLock(pool: Pool): Promise<{ lock: ReplayLock } | { heldBy: LockHolder[] }> {
  const client = await lockSession(pool, () => undefined);
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', KEY);
    if (!rows[0].ok) {
      const heldBy = await holders(client);
      await client.end();
      return { heldBy };
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return { lock: { release: () => client.end().catch(() => undefined) } };
}
