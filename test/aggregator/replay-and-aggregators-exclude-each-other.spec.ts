import { databasePool } from '@switchboard/service';
import type { StreamsLogger } from '@switchboard/streams';
import { Client, type Pool } from 'pg';
import { AggregatorLock, tryReplayLock } from '../../apps/aggregator/src/deployment-lock/deployment-lock';
import { DEPLOYMENT_LOCK } from '../../apps/aggregator/src/deployment-lock/lock-holders';
import { PipelineRunner } from '../../apps/aggregator/src/pipelines/pipeline-runner';
import { ReplayRefusedError } from '../../apps/aggregator/src/replay/replay-errors';
import { runReplay } from '../../apps/aggregator/src/replay/run-replay';
import { testEnv, uniqueName } from '../support/env';
import { recordingLogger } from '../support/recording-logger';
import { freshMigratedDatabase } from '../support/replay-database';
import { testClient } from '../support/streams';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait';

const quiet: StreamsLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

// A replay empties the aggregate tables of its database, so it must never run beside a live aggregator there, nor
// an aggregator start in the middle of one. Both take one Postgres advisory lock of the database: live aggregators
// shared (instances together), a replay exclusive. A replay is refused at once while an aggregator holds it, naming
// its sessions; an aggregator that starts during a replay waits, saying so, and starts when the replay ends.
describe('a replay and the aggregators of its database', () => {
  const client = testClient('lock');
  let db: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  let pool: Pool;
  let replayPool: Pool;
  const settings = {
    groupPrefix: 'agg',
    topicNamespace: undefined as string | undefined,
    graceMs: 60_000,
    idleMs: 1000,
    tablePrefix: 'streams_',
  };
  beforeAll(async () => {
    db = await freshMigratedDatabase('replay_lock');
    pool = databasePool(db.url, 'aggregator', { max: 6 }); // each relay LISTENs on one
    replayPool = databasePool(db.url, 'switchboard-replay', { max: 2 });
  });
  afterAll(async () => {
    await client.close();
    await pool.end();
    await replayPool.end();
    await db.drop();
  });

  // The live aggregator's runner; its pipelines do not matter here (none), only what it holds while it runs.
  const aggregator = (logger = quiet) =>
    new PipelineRunner(
      { client, pool, logger, ...settings, ...{ topicNamespace: uniqueName('ns') }, mode: 'live' },
      [],
    );

  it('refuses a replay while an aggregator runs, naming its sessions, and changes nothing', async () => {
    await pool.query(`INSERT INTO meters (tenant, meter_id) VALUES ('acme', 'm-1')`);
    const first = aggregator();
    const second = aggregator();
    await first.start();
    await second.start(); // instances hold it together
    // an aggregator of another database on the same server holds its own lock: not this one, and not named
    const elsewhere = new Client({ connectionString: testEnv.databaseUrl, application_name: 'aggregator' });
    await elsewhere.connect();
    await elsewhere.query('SELECT pg_advisory_lock_shared($1, $2)', [DEPLOYMENT_LOCK.classId, DEPLOYMENT_LOCK.objId]);
    try {
      const replay = runReplay({ client, pool: replayPool, logger: quiet }, settings, { pipelines: [] });
      await expect(replay).rejects.toThrow(ReplayRefusedError);
      await expect(runReplay({ client, pool: replayPool, logger: quiet }, settings, { pipelines: [] })).rejects.toThrow(
        /^refusing to replay while aggregators are running: stop every instance that writes to this database first \(its deployment lock is held by 2 aggregator sessions \(pid \d+/,
      );
      expect((await pool.query('SELECT count(*)::int AS n FROM meters')).rows[0].n).toBe(1);
    } finally {
      await elsewhere.end();
      await first.close();
      await second.close();
    }
    // stopped: the lock is free for a replay
    const taken = await tryReplayLock(replayPool);
    expect('lock' in taken).toBe(true);
    if ('lock' in taken) await taken.lock.release();
  });

  it('holds an aggregator that starts during a replay until the replay ends, saying why', async () => {
    const taken = await tryReplayLock(replayPool);
    if (!('lock' in taken)) throw new Error('the lock should be free');
    const log: string[] = [];
    const waiting = aggregator(recordingLogger('aggregator', log));
    let started = false;
    const start = waiting.start().then(() => {
      started = true;
    });
    try {
      await new Promise((r) => setTimeout(r, 2500));
      expect(started).toBe(false);
      expect(log.join('\n')).toMatch(
        /waiting to start: a switchboard replay rebuilds this database's aggregate tables \(the lock is held by 1 switchboard-replay session/,
      );
      // a second replay is refused too
      await expect(runReplay({ client, pool: replayPool, logger: quiet }, settings, { pipelines: [] })).rejects.toThrow(
        /^refusing to replay: another replay runs on this database/,
      );
    } finally {
      await taken.lock.release();
    }
    await start;
    expect(started).toBe(true);
    await waiting.close();
  });

  it('an aggregator stopped while it waits for a replay does not start', async () => {
    const taken = await tryReplayLock(replayPool);
    if (!('lock' in taken)) throw new Error('the lock should be free');
    const waiting = aggregator();
    const start = waiting.start();
    await new Promise((r) => setTimeout(r, 300));
    await waiting.close();
    await expect(start).rejects.toThrow(/stopped while waiting for a replay/);
    await taken.lock.release();
  });

  it('an aggregator that lost Postgres, or never reached it at start, takes the lock when Postgres answers', async () => {
    const proxy = new TcpProxy({ host: new URL(db.url).hostname, port: Number(new URL(db.url).port || 5432) });
    const url = new URL(db.url);
    url.port = String(await proxy.start());
    const proxied = databasePool(url.toString(), 'aggregator', { max: 2 });
    const held = async () =>
      (
        await replayPool.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n;
    const lock = new AggregatorLock(proxied, quiet, { retryMs: 100 });
    try {
      proxy.cut();
      await lock.acquire(); // Postgres away: the start is not held up
      expect(lock.held).toBe(false);
      proxy.restore();
      await eventually(() => expect(lock.held).toBe(true), 10_000);
      expect(await held()).toBe(1);

      proxy.cut(); // the lock's session dies with its connection, and the lock with it
      await eventually(async () => expect(await held()).toBe(0), 10_000);
      proxy.restore();
      await eventually(async () => expect(await held()).toBe(1), 10_000);
      expect(lock.held).toBe(true);
      expect('heldBy' in (await tryReplayLock(replayPool))).toBe(true);
    } finally {
      await lock.release();
      await proxied.end();
      await proxy.stop();
    }
    expect(await held()).toBe(0);
  });
});
