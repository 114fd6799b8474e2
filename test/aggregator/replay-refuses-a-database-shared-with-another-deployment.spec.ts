import { streamsTables } from '@switchboard/streams';
import { Pool } from 'pg';
import { ReplayRefusedError } from '../../apps/aggregator/src/replay/replay-errors';
import { resetTables } from '../../apps/aggregator/src/replay/reset';
import { freshMigratedDatabase } from '../support/replay-database';

// The aggregate tables have no group or namespace column: a replay of one deployment empties every tenant's rows.
// When another deployment's checkpoints share the database, the replay refuses and changes nothing.
describe('replay in a database another deployment writes to', () => {
  let db: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  let pool: Pool;
  beforeAll(async () => {
    db = await freshMigratedDatabase('replay_shared');
    pool = new Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const offsets = streamsTables('streams_').offsets;
  const checkpoint = (group: string) =>
    pool.query(
      `INSERT INTO ${offsets} (consumer_group, topic, partition, next_offset, owner_id, owner_epoch) VALUES ($1, 't', 0, 5, 'o', 1)`,
      [group],
    );
  const rows = async () =>
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM meters WHERE tenant = 'acme'`)).rows[0].n;

  it('refuses, naming the other groups, and deletes nothing; with only its own groups it resets', async () => {
    await pool.query(`INSERT INTO meters (tenant, meter_id) VALUES ('acme', 'm-1')`);
    await checkpoint('blue.energy');
    await checkpoint('green.energy');

    const refusal = resetTables(pool, 'streams_', 'blue');
    await expect(refusal).rejects.toThrow(ReplayRefusedError);
    await expect(resetTables(pool, 'streams_', 'blue')).rejects.toThrow(
      /checkpoints of green\.energy, which are not "blue\.\*": another aggregator deployment writes here/,
    );
    expect(await rows()).toBe(1);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${offsets}`)).rows[0].n).toBe(2);

    await pool.query(`DELETE FROM ${offsets} WHERE consumer_group = 'green.energy'`);
    await resetTables(pool, 'streams_', 'blue');
    expect(await rows()).toBe(0);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${offsets}`)).rows[0].n).toBe(0);
  });
});
