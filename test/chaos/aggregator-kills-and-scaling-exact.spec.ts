import type { ChaosRow } from './scenarios/chaos-row';
import { garbageInEveryInput, killsDuringRebalance, randomKills, scaleOneThreeOne } from './scenarios/fault-plans';
import { fleetScenario } from './scenarios/fleet-scenario';

// The short versions of `npm run chaos`'s aggregator scenarios, each while a live tenant and a backfilling tenant
// send 15–20 simulated minutes (≈ 13–17k events): five SIGKILLs of a random instance at moments drawn from a fixed
// seed (each replaced at once, as `npm start`'s supervisor does), SIGKILLs during rebalances, scaling 1 → 3 → 1, and
// garbage in every input topic (each message one dead letter).
// Nothing acknowledged may be lost, doubled or counted late, and every row equals the batch computation.
describe('chaos: aggregator instances killed, joining and leaving under load', () => {
  const expectExact = (row: ChaosRow, lines: string[]) => {
    expect(row.sent).toBeGreaterThan(10_000);
    expect(lines.filter((l) => l.startsWith('supervisor:'))).toEqual([]); // no instance fell over by itself
    expect({
      acknowledged: row.acknowledged,
      inTopics: row.inTopics,
      rowsDiffering: row.rowsDiffering,
      firstDifferences: row.firstDifferences,
      verifyDifferences: row.verifyDifferences,
      lost: row.lost,
      doubled: row.doubled,
      late: row.late,
      planFailures: row.planFailures,
      errorLines: lines.filter((l) => l.startsWith('error line')),
    }).toEqual({
      acknowledged: row.sent,
      inTopics: row.sent,
      rowsDiffering: 0,
      firstDifferences: [],
      verifyDifferences: 0,
      lost: 0,
      doubled: 0,
      late: 0,
      planFailures: [],
      errorLines: [],
    });
  };

  it('loses, doubles and misplaces nothing when a random instance is SIGKILLed five times', async () => {
    const lines: string[] = [];
    const row = await fleetScenario(randomKills(5), { seed: 20261204, minutes: 20, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('SIGKILL'))).toHaveLength(5);
    expectExact(row, lines);
  }, 480_000);

  it('loses, doubles and misplaces nothing when instances are SIGKILLed while the group rebalances', async () => {
    const lines: string[] = [];
    const row = await fleetScenario(killsDuringRebalance(2), { seed: 7, minutes: 15, log: (l) => lines.push(l) });
    expect(lines.filter((l) => / while i\d+ joined$/.test(l))).toHaveLength(2);
    expectExact(row, lines);
  }, 480_000);

  it('loses, doubles and misplaces nothing when scaled 1 → 3 → 1 under load', async () => {
    const lines: string[] = [];
    const row = await fleetScenario(scaleOneThreeOne(), { seed: 11, minutes: 15, log: (l) => lines.push(l) });
    expect(row.faults).toMatch(/scale to 3 at \d+ %, scale to 1 \(SIGTERM i2, i3\) at \d+ %/);
    expectExact(row, lines);
  }, 480_000);

  it('dead-letters every garbage message of every input topic and stays exact', async () => {
    const lines: string[] = [];
    const row = await fleetScenario(garbageInEveryInput(), { seed: 5, minutes: 15, log: (l) => lines.push(l) });
    expect(row.notes).toMatch(/dead letters meters 18\/18, calls 18\/18, agents 18\/18/);
    expectExact(row, lines);
  }, 480_000);
});
