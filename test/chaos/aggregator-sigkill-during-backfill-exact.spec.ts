import { type IngestEvent, toStreamRecord } from '@switchboard/domain';
import { recomputeAgents, recomputeEnergy, recomputeQueueStats } from '../../apps/cli/src/verify/recompute';
import { storedAgents, storedEnergy, storedQueueStats } from '../../apps/cli/src/verify/stored-aggregates';
import { uniqueName } from '../support/env';
import { fleetRig } from '../support/fleet-rig';
import { eventually } from '../support/wait';
import { SMALL_SITE, simulatedEvents } from './scenarios/simulated-events';

// Accepted means counted, under a crash (PRODUCT.md): tenant "live" sends the last hour as it happens while tenant
// "backfill" forwards a buffered hour of calls, agents and meter readings from five hours ago — what a PBX or a
// head-end system does after an outage — into the same partitions. One of two aggregator instances is SIGKILLed in
// the middle of the backfill. Afterwards every row of both tenants equals a batch computation over every accepted
// event, and nothing either tenant sent is a late data-quality event.
const GRACE = 60_000;
const HOUR = 3600_000;

describe('aggregator chaos: SIGKILL during a backfill of closed windows', () => {
  const { namespace, pool, fleet, publisher, close } = fleetRig('backfill', { graceMs: GRACE, idleMs: 2000 });
  const live = uniqueName('live');
  const backfill = uniqueName('backfill');

  afterAll(close);

  it('leaves exactly the rows the definitions give for both tenants', async () => {
    const now = Date.now();
    const liveEvents = simulatedEvents({ ...SMALL_SITE, seed: 7, start: now - 70 * 60_000 });
    const backfillEvents = simulatedEvents({ ...SMALL_SITE, seed: 8, start: now - 5 * HOUR });

    fleet.start('a');
    fleet.start('b');
    const send = async (tenant: string, events: readonly IngestEvent[]) => {
      for (let i = 0; i < events.length; i += 400)
        await publisher.publish(events.slice(i, i + 400).map((e) => toStreamRecord(tenant, e)));
    };
    const half = Math.floor(liveEvents.length / 2);
    await send(live, liveEvents.slice(0, half));
    // Let the live tenant's windows close (the partitions idle past end + grace) before the backfill arrives.
    await new Promise((r) => setTimeout(r, 5000));
    const third = Math.floor(backfillEvents.length / 3);
    await send(backfill, backfillEvents.slice(0, third));
    await fleet.stop('a', 'SIGKILL');
    fleet.start('a2');
    await send(backfill, backfillEvents.slice(third));
    await send(live, liveEvents.slice(half));

    const caughtUp = fleet.queueStageCaughtUp(pool, {
      energy: [`${namespace}.events.meters`],
      agents: [`${namespace}.events.agents`],
      calls: [`${namespace}.events.calls`],
    });
    await eventually(async () => expect(await caughtUp()).toBe(true), 240_000, 1000).catch((err) => {
      console.log(`not drained; log:\n${fleet.log.slice(-60).join('\n')}`);
      throw err;
    });

    for (const [tenant, events] of [
      [live, liveEvents],
      [backfill, backfillEvents],
    ] as const) {
      expect(await storedEnergy(pool, tenant)).toEqual(recomputeEnergy(events));
      expect(await storedQueueStats(pool, tenant)).toEqual(recomputeQueueStats(events));
      expect(await storedAgents(pool, tenant)).toEqual(recomputeAgents(events));
    }
    const late = await pool.query(
      `SELECT tenant, kind, count(*)::int AS n FROM data_quality_events
       WHERE tenant = ANY($1) AND kind LIKE 'late%' GROUP BY tenant, kind`,
      [[live, backfill]],
    );
    expect(late.rows).toEqual([]);
    // The simulator holds back 0.5 % of the readings by 20 minutes: past grace, they restated final windows.
    const restated = await pool.query(
      'SELECT count(*)::int AS n FROM meter_energy_15m WHERE tenant = $1 AND revision > 0 AND restated_at IS NOT NULL',
      [backfill],
    );
    expect(restated.rows[0].n).toBeGreaterThan(0);
    // Each meter closes on its own clock, so the live tenant's time closed none of the backfill's windows; a meter that
    // stopped idles forward at the wall rate from its last reading, so once that clock passed end + grace of the
    // window before its latest (at most a grace and the idle time after the drain), only its latest may be open.
    const open = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM meter_energy_15m e WHERE tenant = $1 AND NOT is_final
           AND window_start < (SELECT max(window_start) FROM meter_energy_15m l WHERE l.tenant = e.tenant AND l.meter_id = e.meter_id)`,
          [backfill],
        )
      ).rows[0].n;
    await eventually(async () => expect(await open()).toBe(0), GRACE + 60_000, 1000);
    expect(fleet.log.filter((l) => /failed to start|Error:/.test(l))).toEqual([]);
  }, 360_000);
});
