import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The stream library's checkpoint tables (libs/streams/src/postgres/README.md): partition ownership and offsets,
 * per-partition state, and the outbox, under the default `streams_` prefix. The DDL is the library's
 * `streamsSchemaSql()` as it was when this migration was written, frozen here: a migration is a snapshot of the
 * schema at its time, so a later change of the library's tables comes with a migration of its own.
 */
const UP = [
  `CREATE TABLE IF NOT EXISTS streams_offsets (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    next_offset bigint,
    owner_id text NOT NULL,
    owner_epoch bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
  )`,
  `CREATE TABLE IF NOT EXISTS streams_state (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    store text NOT NULL,
    meta jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition, store)
  )`,
  `CREATE TABLE IF NOT EXISTS streams_state_entries (
    consumer_group text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    store text NOT NULL,
    key text NOT NULL,
    value jsonb NOT NULL,
    PRIMARY KEY (consumer_group, topic, partition, store, key)
  )`,
  `CREATE TABLE IF NOT EXISTS streams_outbox (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    partition integer,
    key text,
    headers jsonb NOT NULL DEFAULT '{}'::jsonb,
    value bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
  )`,
  'CREATE INDEX IF NOT EXISTS streams_outbox_unsent ON streams_outbox (id) WHERE sent_at IS NULL',
];

export class StreamsCheckpoint1764244800000 implements MigrationInterface {
  name = 'StreamsCheckpoint1764244800000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of UP) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS streams_outbox, streams_state_entries, streams_state, streams_offsets');
  }
}
