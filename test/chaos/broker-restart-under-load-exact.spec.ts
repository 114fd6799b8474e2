import { brokerRestart } from './scenarios/fault-plans';
import { fleetScenario } from './scenarios/fleet-scenario';

// The short version of `npm run chaos`'s broker scenario: on a broker of its own, two aggregator instances and two
// tenants (one live, one backfilling) sending 15 simulated minutes each; at 40 % of the input the broker stops for
// 10 s while the sources go on sending. Their refused publishes are retried; afterwards nothing acknowledged is
// lost, doubled or late, and every row equals the batch computation.
describe('chaos: the broker stops and restarts under load', () => {
  it('loses, doubles and misplaces nothing acknowledged', async () => {
    const lines: string[] = [];
    const row = await fleetScenario(brokerRestart(10_000), { seed: 3, minutes: 15, log: (l) => lines.push(l) });
    expect(row.faults).toMatch(/^broker stopped for 10 s at \d+ %$/);
    expect(row.notes).toMatch(/publishes refused and retried/);
    // A publish refused for its timeout may have landed: sent again, it is in the topics twice and counted once.
    expect(row.inTopics).toBeGreaterThanOrEqual(row.sent);
    expect({
      acknowledged: row.acknowledged,
      rowsDiffering: row.rowsDiffering,
      firstDifferences: row.firstDifferences,
      verifyDifferences: row.verifyDifferences,
      lost: row.lost,
      doubled: row.doubled,
      late: row.late,
    }).toEqual({
      acknowledged: row.sent,
      rowsDiffering: 0,
      firstDifferences: [],
      verifyDifferences: 0,
      lost: 0,
      doubled: 0,
      late: 0,
    });
  }, 480_000);
});
