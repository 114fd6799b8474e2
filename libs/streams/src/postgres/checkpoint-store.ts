import type { Pool, PoolClient } from 'pg';
import { StreamsConfigError } from '../core/errors';
import { FencedError } from './errors';
import { borrowClient } from './pool-guard';
import { DEFAULT_TABLE_PREFIX, type StreamsTables, streamsTables } from './schema';
import { normaliseChanges, type StoreChanges, type StoredState } from './state-codec';

export interface CheckpointStoreOptions {
  /** The app's pool; the store borrows one client per call and never ends the pool. */
  pool: Pool;
  /** Prefix of the library's tables (see `createStreamsSchema`). Default `streams_`. */
  tablePrefix?: string;
}

/** What `acquire` returns: the fence to commit with, where to seek, and the partition's state by store. */
export interface Acquired {
  /** The owner epoch this member must present at every commit of the partition. */
  epoch: number;
  /** The next offset to read (seek there), or null when the partition was never checkpointed. */
  nextOffset: string | null;
  /** Per store name: its meta and per-key rows. A store that never checkpointed is absent. */
  state: Map<string, StoredState>;
}

/** One partition's part of a checkpoint. */
export interface PartitionCheckpoint {
  topic: string;
  partition: number;
  /** The epoch `acquire` returned. */
  epoch: number;
  /** The offset after the last processed message (what Kafka's committed offset means). */
  nextOffset: string | number | bigint;
  /** Changed state per store name (omit stores that did not change). */
  state?: Readonly<Record<string, StoreChanges>>;
}

/** A message for the outbox relay to publish after the commit. */
export interface OutboxRecord {
  topic: string;
  /** An explicit partition (e.g. a time marker broadcast to every partition); default: by key. */
  partition?: number | null;
  key: string | null;
  headers?: Readonly<Record<string, string>>;
  value: Buffer | null;
}

/** A checkpoint: everything here is written in one transaction, or nothing is. */
export interface CheckpointBatch {
  group: string;
  partitions: readonly PartitionCheckpoint[];
  /** Writes the app's result rows with the transaction's client (batched SQL, please). Runs first. */
  sink?: (client: PoolClient) => Promise<void>;
  outbox?: readonly OutboxRecord[];
}

export interface CommitResult {
  /** Outbox rows inserted (the relay was notified when > 0). */
  outboxRows: number;
  /** State rows written (meta and entries, upserted or deleted). */
  stateRows: number;
}

/**
 * The Postgres side of the checkpoint: partition ownership (an owner epoch per partition), offsets, state and the
 * outbox, written by one transaction per checkpoint. Order and consumer-loop use: README.md next to this file.
 */
export class CheckpointStore {
  readonly tables: StreamsTables;
  private readonly pool: Pool;

  constructor(opts: CheckpointStoreOptions) {
    if (!opts?.pool) throw new StreamsConfigError('CheckpointStore needs a pg Pool: new CheckpointStore({ pool })');
    this.pool = opts.pool;
    this.tables = streamsTables(opts.tablePrefix ?? DEFAULT_TABLE_PREFIX);
  }

  /**
   * Takes ownership of a partition: increments its owner epoch in one statement (so every earlier owner is
   * fenced from now on), then loads its next offset and state. Call on assignment, before processing.
   */
  async acquire(group: string, topic: string, partition: number, ownerId: string): Promise<Acquired> {
    const t = this.tables;
    const { client, release } = await borrowClient(this.pool);
    try {
      const owned = await client.query<{ owner_epoch: string; next_offset: string | null }>(
        `INSERT INTO ${t.offsets} AS o (consumer_group, topic, partition, next_offset, owner_id, owner_epoch, updated_at)
         VALUES ($1, $2, $3, NULL, $4, 1, now())
         ON CONFLICT (consumer_group, topic, partition)
         DO UPDATE SET owner_epoch = o.owner_epoch + 1, owner_id = EXCLUDED.owner_id, updated_at = now()
         RETURNING owner_epoch, next_offset`,
        [group, topic, partition, ownerId],
      );
      // Read after the epoch moved: any commit of an earlier owner either committed before (visible here) or
      // will be fenced.
      const [metas, entries] = await Promise.all([
        client.query<{ store: string; meta: unknown }>(
          `SELECT store, meta FROM ${t.state} WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
          [group, topic, partition],
        ),
        client.query<{ store: string; key: string; value: unknown }>(
          `SELECT store, key, value FROM ${t.stateEntries}
           WHERE consumer_group = $1 AND topic = $2 AND partition = $3 ORDER BY store, key`,
          [group, topic, partition],
        ),
      ]);
      const state = new Map<string, StoredState>();
      const of = (store: string) => {
        let s = state.get(store);
        if (!s) {
          s = { meta: null, entries: [] };
          state.set(store, s);
        }
        return s;
      };
      for (const row of metas.rows) of(row.store).meta = row.meta;
      for (const row of entries.rows) of(row.store).entries.push([row.key, row.value]);
      const row = owned.rows[0];
      return { epoch: Number(row.owner_epoch), nextOffset: row.next_offset, state };
    } finally {
      release();
    }
  }

  /**
   * Runs one checkpoint transaction: sink rows → state → outbox → fenced offsets → COMMIT (→ NOTIFY the relay).
   * If any partition's stored epoch is no longer the one given, everything is rolled back and `FencedError` is
   * thrown. Any other error (the sink's included) also rolls everything back and is rethrown as it is.
   */
  async commit(batch: CheckpointBatch): Promise<CommitResult> {
    const parts = checkBatch(batch);
    const { client, release } = await borrowClient(this.pool);
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        if (batch.sink) await batch.sink(client);
        const stateRows = await this.writeState(client, batch.group, parts);
        const outboxRows = await this.writeOutbox(client, batch.outbox ?? []);
        await this.writeOffsets(client, batch.group, parts);
        await client.query('COMMIT');
        return { outboxRows, stateRows };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      }
    } finally {
      release(broken);
    }
  }

  private async writeState(client: PoolClient, group: string, parts: readonly PartitionCheckpoint[]): Promise<number> {
    const t = this.tables;
    const meta = { topic: [] as string[], partition: [] as number[], store: [] as string[], value: [] as string[] };
    const del = { topic: [] as string[], partition: [] as number[], store: [] as string[], key: [] as string[] };
    const up = {
      topic: [] as string[],
      partition: [] as number[],
      store: [] as string[],
      key: [] as string[],
      value: [] as string[],
    };
    for (const p of parts) {
      for (const [store, changes] of Object.entries(p.state ?? {})) {
        if (changes.meta !== undefined) {
          meta.topic.push(p.topic);
          meta.partition.push(p.partition);
          meta.store.push(store);
          meta.value.push(JSON.stringify(changes.meta));
        }
        const { upserts, deletes } = normaliseChanges(changes);
        for (const key of deletes) {
          del.topic.push(p.topic);
          del.partition.push(p.partition);
          del.store.push(store);
          del.key.push(key);
        }
        for (const [key, value] of upserts) {
          up.topic.push(p.topic);
          up.partition.push(p.partition);
          up.store.push(store);
          up.key.push(key);
          up.value.push(JSON.stringify(value));
        }
      }
    }
    if (meta.store.length > 0) {
      await client.query(
        `INSERT INTO ${t.state} (consumer_group, topic, partition, store, meta, updated_at)
         SELECT $1, u.topic, u.partition, u.store, u.meta, now()
         FROM unnest($2::text[], $3::int[], $4::text[], $5::jsonb[]) AS u(topic, partition, store, meta)
         ON CONFLICT (consumer_group, topic, partition, store)
         DO UPDATE SET meta = EXCLUDED.meta, updated_at = EXCLUDED.updated_at`,
        [group, meta.topic, meta.partition, meta.store, meta.value],
      );
    }
    if (del.key.length > 0) {
      await client.query(
        `DELETE FROM ${t.stateEntries} e
         USING unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS d(topic, partition, store, key)
         WHERE e.consumer_group = $1 AND e.topic = d.topic AND e.partition = d.partition
           AND e.store = d.store AND e.key = d.key`,
        [group, del.topic, del.partition, del.store, del.key],
      );
    }
    if (up.key.length > 0) {
      await client.query(
        `INSERT INTO ${t.stateEntries} (consumer_group, topic, partition, store, key, value)
         SELECT $1, u.topic, u.partition, u.store, u.key, u.value
         FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::jsonb[]) AS u(topic, partition, store, key, value)
         ON CONFLICT (consumer_group, topic, partition, store, key) DO UPDATE SET value = EXCLUDED.value`,
        [group, up.topic, up.partition, up.store, up.key, up.value],
      );
    }
    return meta.store.length + del.key.length + up.key.length;
  }

  private async writeOutbox(client: PoolClient, rows: readonly OutboxRecord[]): Promise<number> {
    if (rows.length === 0) return 0;
    const t = this.tables;
    // WITH ORDINALITY + ORDER BY: ids follow the order of the batch.
    await client.query(
      `INSERT INTO ${t.outbox} (topic, partition, key, headers, value)
       SELECT u.topic, u.partition, u.key, u.headers, u.value
       FROM unnest($1::text[], $5::int[], $2::text[], $3::jsonb[], $4::bytea[]) WITH ORDINALITY AS u(topic, partition, key, headers, value, n)
       ORDER BY u.n`,
      [
        rows.map((r) => r.topic),
        rows.map((r) => r.key),
        rows.map((r) => JSON.stringify(r.headers ?? {})),
        rows.map((r) => r.value),
        rows.map((r) => r.partition ?? null),
      ],
    );
    // Delivered to listeners when (and only if) the transaction commits.
    await client.query('SELECT pg_notify($1, $2)', [t.outboxChannel, String(rows.length)]);
    return rows.length;
  }

  private async writeOffsets(client: PoolClient, group: string, parts: readonly PartitionCheckpoint[]): Promise<void> {
    if (parts.length === 0) return;
    const t = this.tables;
    // The fence: a row is updated only while it still carries this member's epoch. Rows are visited in key order
    // so two commits over the same partitions lock them in the same order.
    const sorted = [...parts].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
    const updated = await client.query<{ topic: string; partition: number }>(
      `UPDATE ${t.offsets} o SET next_offset = u.next_offset, updated_at = now()
       FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS u(topic, partition, next_offset, epoch)
       WHERE o.consumer_group = $1 AND o.topic = u.topic AND o.partition = u.partition AND o.owner_epoch = u.epoch
       RETURNING o.topic, o.partition`,
      [
        group,
        sorted.map((p) => p.topic),
        sorted.map((p) => p.partition),
        sorted.map((p) => String(p.nextOffset)),
        sorted.map((p) => p.epoch),
      ],
    );
    if (updated.rowCount === sorted.length) return;
    const ok = new Set(updated.rows.map((r) => `${r.topic}/${r.partition}`));
    const fenced = sorted.filter((p) => !ok.has(`${p.topic}/${p.partition}`));
    const first = fenced[0];
    throw new FencedError(
      `checkpoint of group "${group}" fenced: ${first.topic}[${first.partition}] is no longer owned at epoch ${first.epoch} (another member acquired it, or it was never acquired); nothing was written — drop these partitions and rejoin`,
      {
        group,
        topic: first.topic,
        partition: first.partition,
        epoch: first.epoch,
        partitions: fenced.map((p) => `${p.topic}[${p.partition}]@${p.epoch}`),
      },
    );
  }
}

function checkBatch(batch: CheckpointBatch): readonly PartitionCheckpoint[] {
  if (!batch?.group) throw new StreamsConfigError('a checkpoint needs its consumer group: commit({ group, … })');
  const seen = new Set<string>();
  for (const p of batch.partitions) {
    const id = `${p.topic}/${p.partition}`;
    if (seen.has(id)) {
      throw new StreamsConfigError(
        `checkpoint lists ${p.topic}[${p.partition}] twice: merge its state changes into one entry`,
        { context: { group: batch.group, topic: p.topic, partition: p.partition } },
      );
    }
    seen.add(id);
    if (!/^-?\d+$/.test(String(p.nextOffset))) {
      throw new StreamsConfigError(`next offset of ${p.topic}[${p.partition}] is not an integer: ${p.nextOffset}`, {
        context: { group: batch.group, topic: p.topic, partition: p.partition },
      });
    }
  }
  return batch.partitions;
}
