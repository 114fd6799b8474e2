import { aggregatorKills } from './scenarios/aggregator-kills';
import type { ChaosRow } from './scenarios/chaos-row';

// The short version of `npm run chaos`'s first scenario: five SIGKILLs of a random one of two aggregator instances at
// moments drawn from a fixed seed (each replaced at once, as `npm start`'s supervisor does), while a live tenant and a
// backfilling tenant send 20 simulated minutes each. Nothing acknowledged may be lost, doubled or counted late.
describe('chaos: a random aggregator SIGKILLed five times', () => {
  it('loses, doubles and misplaces nothing acknowledged', async () => {
    const lines: string[] = [];
    const row: ChaosRow = await aggregatorKills({ kills: 5, seed: 20261204, minutes: 20, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('SIGKILL'))).toHaveLength(5);
    expect(row.sent).toBeGreaterThan(10_000);
    expect({
      acknowledged: row.acknowledged,
      inTopics: row.inTopics,
      rowsDiffering: row.rowsDiffering,
      firstDifferences: row.firstDifferences,
      verifyDifferences: row.verifyDifferences,
      lost: row.lost,
      doubled: row.doubled,
      late: row.late,
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
      errorLines: [],
    });
  }, 480_000);
});
