import { MigrationInterface, QueryRunner } from 'typeorm';
import { createStreamsSchema, dropStreamsSchema } from '../libs/streams/src/postgres/schema';

/**
 * The stream library's checkpoint tables (libs/streams/src/postgres/README.md): partition ownership and offsets,
 * per-partition state, and the outbox, under the default `streams_` prefix.
 */
export class StreamsCheckpoint1764244800000 implements MigrationInterface {
  name = 'StreamsCheckpoint1764244800000';

  async up(q: QueryRunner): Promise<void> {
    await createStreamsSchema(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropStreamsSchema(q);
  }
}
