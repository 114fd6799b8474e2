import { streamsTables } from '@switchboard/streams';
import { Pool } from 'pg';
import { aggregatorGroups, scopeTopics } from '../../apps/aggregator/src/replay/aggregator-groups';
import { ReplayRefusedError } from '../../apps/aggregator/src/replay/replay-errors';
import { resetTables } from '../../apps/aggregator/src/replay/reset';
import { freshMigratedDatabase } from '../support/replay-database';

// The aggregate tables have no group or namespace column: a replay of one deployment empties every tenant's rows.
// When another deployment's checkpoints share the database — another group prefix, or the same prefix in another
// namespace — the replay refuses and changes nothing. What it deletes besides the aggregate tables is its own
// scope's: its groups' checkpoints on its topics, and the outbox rows on the topics it writes, not the whole outbox.
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

  const t = streamsTables('streams_');
  const blue = { groupPrefix: 'blue', topics: scopeTopics(aggregatorGroups, { groupPrefix: 'blue', namespace: 'ns' }) };
  const checkpoint = (group: string, topic: string) =>
    pool.query(
      `INSERT INTO ${t.offsets} (consumer_group, topic, partition, next_offset, owner_id, owner_epoch) VALUES ($1, $2, 0, 5, 'o', 1)`,
      [group, topic],
    );
  const outboxRow = (topic: string) =>
    pool.query(`INSERT INTO ${t.outbox} (topic, key, headers, value) VALUES ($1, 'k', '{}', '\\x00')`, [topic]);
  const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0].n;
  const meters = () => count(`SELECT count(*)::int AS n FROM meters WHERE tenant = 'acme'`);
  const checkpoints = () => count(`SELECT count(*)::int AS n FROM ${t.offsets}`);

  beforeEach(async () => {
    await pool.query(`TRUNCATE meters, ${t.offsets}, ${t.outbox}`);
    await pool.query(`INSERT INTO meters (tenant, meter_id) VALUES ('acme', 'm-1')`);
    await checkpoint('blue.energy', 'ns.events.meters');
  });

  it('refuses another group prefix, naming it, and deletes nothing; with only its own groups it resets', async () => {
    await checkpoint('green.energy', 'ns.events.meters');

    const refusal = resetTables(pool, 'streams_', blue);
    await expect(refusal).rejects.toThrow(ReplayRefusedError);
    await expect(resetTables(pool, 'streams_', blue)).rejects.toThrow(
      /checkpoints of green\.energy on ns\.events\.meters, which are not "blue\.\*" on this replay's topics: another aggregator deployment writes here/,
    );
    expect(await meters()).toBe(1);
    expect(await checkpoints()).toBe(2);

    await pool.query(`DELETE FROM ${t.offsets} WHERE consumer_group = 'green.energy'`);
    await resetTables(pool, 'streams_', blue);
    expect(await meters()).toBe(0);
    expect(await checkpoints()).toBe(0);
  });

  it('refuses its own group prefix in another namespace: those checkpoints are another deployment', async () => {
    // Before, every "blue.*" checkpoint was taken for this replay's and deleted, the other namespace's too.
    await checkpoint('blue.energy', 'events.meters');
    await expect(resetTables(pool, 'streams_', blue)).rejects.toThrow(
      /checkpoints of blue\.energy on events\.meters, which are not "blue\.\*" on this replay's topics/,
    );
    expect(await meters()).toBe(1);
    expect(await checkpoints()).toBe(2);
  });

  it("empties the outbox of its own topics only: other topics' unsent rows stay", async () => {
    // Before, the whole outbox was emptied.
    for (const topic of ['ns.metrics.updates', 'ns.alerts', 'blue.calls.by-queue', 'ns.events.meters.dlq'])
      await outboxRow(topic);
    await outboxRow('other.metrics.updates');
    await outboxRow('some.app.topic');
    await resetTables(pool, 'streams_', blue);
    const left = await pool.query<{ topic: string }>(`SELECT topic FROM ${t.outbox} ORDER BY topic`);
    expect(left.rows.map((r) => r.topic)).toEqual(['other.metrics.updates', 'some.app.topic']);
    expect(await meters()).toBe(0);
  });
});
