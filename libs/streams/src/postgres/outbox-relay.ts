import { EventEmitter } from 'node:events';
import type { Notification, Pool, PoolClient } from 'pg';
import { StreamsConfigError } from '../core/errors';
import { consoleWarnLogger, type StreamsLogger } from '../core/logger';
import { Outage, type OutageStatus } from '../core/outage';
import type { OutgoingMessage } from '../port';
import { guardPool } from './pool-guard';
import { DEFAULT_TABLE_PREFIX, type StreamsTables, streamsTables } from './schema';

/** One outbox row handed to `send`, in id order. */
export interface OutboxMessage {
  /** The row id (a bigint, as a string): strictly increasing in commit order of one writer. */
  id: string;
  topic: string;
  /** Explicit partition, or null: by key. */
  partition: number | null;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer | null;
}

export interface OutboxRelayOptions {
  pool: Pool;
  /**
   * Publishes a batch, in order; resolves only when the broker acknowledged all of it (e.g. the app's
   * `MessageSender.send(groupByTopic(batch))`). On rejection the same rows are offered again after a back-off
   * (`retryMs`, doubling up to `retryMaxMs` while the failures go on).
   */
  send: (batch: OutboxMessage[]) => Promise<void>;
  tablePrefix?: string;
  /** Rows per send. Default 500. */
  batchSize?: number;
  /** Polls this often when no NOTIFY arrives (fallback), and retries the leader lock this often. Default 1000. */
  pollIntervalMs?: number;
  /** First wait after a failed send or a database error; it doubles while they go on. Default 1000. */
  retryMs?: number;
  /** Longest wait between two attempts while Kafka or Postgres stays away. Default 5000. */
  retryMaxMs?: number;
  /**
   * Sent rows are deleted once they were sent this long ago (kept a while for whoever inspects what went out).
   * Default 15 minutes; 0 deletes them at the next prune. Unsent rows are never deleted.
   */
  retainSentMs?: number;
  /** The leader prunes this often. Default 60 000. */
  pruneIntervalMs?: number;
  /** Rows per DELETE, so a prune never holds locks long or starves publishing. Default 5000. */
  pruneBatchSize?: number;
  logger?: StreamsLogger;
}

/** The outbox table's size, for metrics: rows waiting to be published, and the table's bytes on disk. */
export interface OutboxTableSize {
  unsent: number;
  bytes: number;
}

export interface OutboxRelayEvents {
  /** This instance holds the lock and publishes; `false` when it lost it (connection error, stop). */
  leader: { leader: boolean };
  published: { rows: number; firstId: string; lastId: string; durationMs: number };
  /** Sent rows older than the retention were deleted. */
  pruned: { rows: number; durationMs: number };
  /** A send or a database call failed (logged once per outage); the relay retries with back-off. */
  failure: { error: Error; phase: 'send' | 'database' };
}

/** What the relay is up to, for readiness: an outage of its database or of Kafka (its sends) in progress. */
export interface OutboxRelayStatus {
  leader: boolean;
  database?: OutageStatus;
  send?: OutageStatus;
}

/**
 * Publishes committed outbox rows in id order, at least once: a batch is marked sent only after `send` resolved,
 * so a crash in between resends it. One relay of a table prefix publishes at a time (a session advisory lock held
 * on its connection); the others wait and take over when its connection goes. Wakes on the checkpoint's NOTIFY,
 * polls as a fallback.
 */
export class OutboxRelay {
  private readonly tables: StreamsTables;
  private readonly emitter = new EventEmitter();
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retainSentMs: number;
  private readonly pruneIntervalMs: number;
  private readonly pruneBatchSize: number;
  private nextPruneAt = 0;
  private prunedRows = 0;
  private readonly logger: StreamsLogger;
  /** Postgres away (the LISTEN connection, the reads and marks): reconnects with back-off. */
  private readonly database: Outage;
  /** Kafka refusing the sends: the same rows are offered again with back-off, so nothing overtakes them. */
  private readonly sending: Outage;
  private client: PoolClient | undefined;
  private leader = false;
  private running: Promise<void> | undefined;
  private stopping = false;
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: OutboxRelayOptions) {
    if (!opts?.pool) throw new StreamsConfigError('OutboxRelay needs a pg Pool: new OutboxRelay({ pool, send })');
    if (typeof opts.send !== 'function')
      throw new StreamsConfigError('OutboxRelay needs send(batch): pass a function that publishes and resolves on ack');
    this.tables = streamsTables(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX);
    this.batchSize = positive('batchSize', opts.batchSize ?? 500);
    this.pollIntervalMs = positive('pollIntervalMs', opts.pollIntervalMs ?? 1000);
    this.retainSentMs = atLeastZero('retainSentMs', opts.retainSentMs ?? 15 * 60_000);
    this.pruneIntervalMs = positive('pruneIntervalMs', opts.pruneIntervalMs ?? 60_000);
    this.pruneBatchSize = positive('pruneBatchSize', opts.pruneBatchSize ?? 5000);
    const backoff = {
      initialMs: positive('retryMs', opts.retryMs ?? 1000),
      maxMs: positive('retryMaxMs', opts.retryMaxMs ?? 5000),
    };
    this.logger = opts.logger ?? consoleWarnLogger;
    guardPool(opts.pool, this.logger);
    this.database = new Outage(`outbox relay: Postgres (${this.tables.outbox})`, backoff, this.logger);
    this.sending = new Outage(`outbox relay: Kafka (sending ${this.tables.outbox})`, backoff, this.logger);
  }

  on<E extends keyof OutboxRelayEvents>(event: E, listener: (payload: OutboxRelayEvents[E]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Whether this instance currently holds the lock. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Leadership and the outages in progress (none when all is well). */
  get status(): OutboxRelayStatus {
    return {
      leader: this.leader,
      ...(this.database.status ? { database: this.database.status } : {}),
      ...(this.sending.status ? { send: this.sending.status } : {}),
    };
  }

  /** Sent rows this relay deleted since it started. */
  get pruned(): number {
    return this.prunedRows;
  }

  /** Rows waiting to be published (the partial index of unsent ids answers it) and the table's bytes. */
  async tableSize(): Promise<OutboxTableSize> {
    const r = await this.opts.pool.query<{ unsent: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM ${this.tables.outbox} WHERE sent_at IS NULL) AS unsent,
              pg_total_relation_size($1::regclass) AS bytes`,
      [this.tables.outbox],
    );
    return { unsent: Number(r.rows[0].unsent), bytes: Number(r.rows[0].bytes) };
  }

  /** Starts the loop in the background; resolves at once. */
  start(): void {
    if (this.running) throw new StreamsConfigError('OutboxRelay is already started');
    this.stopping = false;
    this.running = this.loop();
  }

  /** Lets a send in progress finish (and be marked), releases the lock and the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const client = this.client ?? (await this.connect());
        if (!this.leader) {
          const locked = await this.tryLock(client);
          this.database.recovered();
          if (!locked) {
            // Standby: try again at the next poll, or sooner when a NOTIFY says there is work.
            this.pending = false;
            await this.sleep(this.pollIntervalMs);
            continue;
          }
        }
        const sent = await this.publishBatch(client);
        if (sent >= 0 && sent < this.batchSize && Date.now() >= this.nextPruneAt) await this.prune(client);
        this.database.recovered();
        // A full batch or a failed send (-1, already waited its back-off): go again at once.
        if (sent >= 0 && sent < this.batchSize) await this.sleep(this.pollIntervalMs);
      } catch (err) {
        const error = err as Error;
        // The connection (and its LISTEN and lock) is gone with the database: a new one listens again, and
        // whatever was committed meanwhile is found by the first read, NOTIFY or not.
        const waitMs = this.database.failed(error, 'publishing stops; reconnecting and listening again with back-off', {
          table: this.tables.outbox,
        });
        this.emitter.emit('failure', { error, phase: 'database' });
        this.dropClient(error);
        await this.sleep(waitMs, true);
      }
    }
    await this.release();
  }

  private async connect(): Promise<PoolClient> {
    const client = await this.opts.pool.connect();
    client.on('notification', (n: Notification) => {
      if (n.channel === this.tables.outboxChannel) this.notify();
    });
    // A dead connection surfaces as an error on the next query; an idle one here.
    client.on('error', () => undefined);
    this.client = client;
    await client.query(`LISTEN ${this.tables.outboxChannel}`);
    return client;
  }

  private async tryLock(client: PoolClient): Promise<boolean> {
    const r = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [this.lockName()],
    );
    if (r.rows[0].locked) this.setLeader(true);
    return this.leader;
  }

  private lockName(): string {
    return `switchboard.streams.outbox-relay:${this.tables.outbox}`;
  }

  /** Sends one batch of unsent rows; returns how many were published (0 when none, -1 when the send failed). */
  private async publishBatch(client: PoolClient): Promise<number> {
    this.pending = false;
    const t = this.tables;
    const r = await client.query<OutboxMessage>(
      `SELECT id, topic, partition, key, headers, value FROM ${t.outbox} WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
      [this.batchSize],
    );
    if (r.rows.length === 0) return 0;
    const started = Date.now();
    try {
      await this.opts.send(r.rows);
    } catch (err) {
      const error = err as Error;
      const waitMs = this.sending.failed(error, 'the same rows are offered again with back-off', {
        firstId: r.rows[0].id,
        rows: r.rows.length,
      });
      this.emitter.emit('failure', { error, phase: 'send' });
      await this.sleep(waitMs, true);
      return -1;
    }
    this.sending.recovered();
    await client.query(`UPDATE ${t.outbox} SET sent_at = now() WHERE id = ANY($1::bigint[])`, [
      r.rows.map((row) => row.id),
    ]);
    this.emitter.emit('published', {
      rows: r.rows.length,
      firstId: r.rows[0].id,
      lastId: r.rows[r.rows.length - 1].id,
      durationMs: Date.now() - started,
    });
    return r.rows.length;
  }

  /**
   * Deletes rows sent longer ago than the retention, a batch at a time from the oldest id, between publishes
   * (only when the relay has caught up, so pruning never delays an update). Rows still unsent are never touched.
   */
  private async prune(client: PoolClient): Promise<void> {
    this.nextPruneAt = Date.now() + this.pruneIntervalMs;
    const started = Date.now();
    let rows = 0;
    for (;;) {
      const r = await client.query(
        `DELETE FROM ${this.tables.outbox} WHERE id IN (
           SELECT id FROM ${this.tables.outbox}
            WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1::double precision / 1000)
            ORDER BY id LIMIT $2)`,
        [this.retainSentMs, this.pruneBatchSize],
      );
      rows += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < this.pruneBatchSize) break;
      if (this.stopping || this.pending) {
        this.nextPruneAt = 0; // more to delete: go on after the rows that just arrived are published
        break;
      }
    }
    this.prunedRows += rows;
    if (rows > 0) this.emitter.emit('pruned', { rows, durationMs: Date.now() - started });
  }

  private notify(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Waits `ms`, or less when a NOTIFY arrives (unless `ignoreNotify`) or stop() is called. */
  private sleep(ms: number, ignoreNotify = false): Promise<void> {
    if (this.stopping || (!ignoreNotify && this.pending)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = ignoreNotify ? () => this.stopping && done() : done;
    });
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.emitter.emit('leader', { leader });
  }

  private dropClient(error: Error): void {
    const client = this.client;
    this.client = undefined;
    this.setLeader(false);
    // Destroy the connection: its session lock goes with it.
    client?.release(error);
  }

  private async release(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    try {
      await client.query(`UNLISTEN ${this.tables.outboxChannel}`);
      if (this.leader) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.lockName()]);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
    this.setLeader(false);
  }
}

/** Groups a batch by topic, keeping order within each topic: the shape of `MessageSender.send`. */
export function groupByTopic(batch: readonly OutboxMessage[]): { topic: string; messages: OutgoingMessage[] }[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const m of batch) {
    let list = byTopic.get(m.topic);
    if (!list) {
      list = [];
      byTopic.set(m.topic, list);
    }
    list.push({ key: m.key, headers: m.headers, value: m.value, partition: m.partition ?? undefined });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function atLeastZero(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new StreamsConfigError(`OutboxRelay option ${name} must be 0 or more, got ${value}`, {
      context: { [name]: value },
    });
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new StreamsConfigError(`OutboxRelay option ${name} must be a positive number, got ${value}`, {
      context: { [name]: value },
    });
  return value;
}
