import { StreamsConfigError } from '../core/errors';

export const DEFAULT_TABLE_PREFIX = 'streams_';

/** The library's table names under one prefix. */
export interface StreamsTables {
  /** `(consumer_group, topic, partition) → next_offset, owner_id, owner_epoch, updated_at` */
  offsets: string;
  /** `(consumer_group, topic, partition, store) → meta jsonb`: a store's per-partition fields (or a whole snapshot). */
  state: string;
  /** `(consumer_group, topic, partition, store, key) → value jsonb`: a store's per-key rows. */
  stateEntries: string;
  /** `id bigserial, topic, key, headers jsonb, value bytea, created_at, sent_at` */
  outbox: string;
  /** The LISTEN/NOTIFY channel the checkpoint notifies when it wrote outbox rows. */
  outboxChannel: string;
}

/** Anything that runs one SQL string: a `pg` Client, Pool or PoolClient, a TypeORM QueryRunner. */
export interface SqlRunner {
  query(sql: string): Promise<unknown>;
}

/**
 * Table names for a prefix. The prefix is spliced into SQL, so it must be a plain lower-case identifier start
 * (letters, digits, `_`), short enough that the longest name stays within Postgres' 63-byte limit.
 */
export function streamsTables(prefix: string = DEFAULT_TABLE_PREFIX): StreamsTables {
  if (!/^[a-z_][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new StreamsConfigError(
      `table prefix "${prefix}" is not a plain identifier: use 1–40 characters of a–z, 0–9 and _ (not starting with a digit), e.g. "streams_"`,
      { context: { prefix } },
    );
  }
  return {
    offsets: `${prefix}offsets`,
    state: `${prefix}state`,
    stateEntries: `${prefix}state_entries`,
    outbox: `${prefix}outbox`,
    outboxChannel: `${prefix}outbox`,
  };
}

/** The DDL, in order; every statement is idempotent (`IF NOT EXISTS`). */
export function streamsSchemaSql(prefix: string = DEFAULT_TABLE_PREFIX): string[] {
  const t = streamsTables(prefix);
  return [
    `CREATE TABLE IF NOT EXISTS ${t.offsets} (
      consumer_group text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      next_offset bigint,
      owner_id text NOT NULL,
      owner_epoch bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, topic, partition)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.state} (
      consumer_group text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      store text NOT NULL,
      meta jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, topic, partition, store)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.stateEntries} (
      consumer_group text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      store text NOT NULL,
      key text NOT NULL,
      value jsonb NOT NULL,
      PRIMARY KEY (consumer_group, topic, partition, store, key)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.outbox} (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      partition integer,
      key text,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      value bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    )`,
    `CREATE INDEX IF NOT EXISTS ${t.outbox}_unsent ON ${t.outbox} (id) WHERE sent_at IS NULL`,
  ];
}

/** Creates the library's tables (idempotent). Call it from a migration: `await createStreamsSchema(queryRunner)`. */
export async function createStreamsSchema(db: SqlRunner, prefix: string = DEFAULT_TABLE_PREFIX): Promise<void> {
  for (const sql of streamsSchemaSql(prefix)) await db.query(sql);
}

/** Drops the library's tables (a migration's `down`). Checkpoints, state and unsent outbox rows are lost. */
export async function dropStreamsSchema(db: SqlRunner, prefix: string = DEFAULT_TABLE_PREFIX): Promise<void> {
  const t = streamsTables(prefix);
  await db.query(`DROP TABLE IF EXISTS ${t.outbox}, ${t.stateEntries}, ${t.state}, ${t.offsets}`);
}
