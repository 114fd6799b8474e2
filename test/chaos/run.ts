// npm run chaos [-- --seed N] [-- --kills N] [-- --minutes N]: every chaos scenario against the real broker and
// Postgres, one table (scenario, events sent, acknowledged, in the topics, rows differing from a batch
// recomputation, lost, doubled, late, seconds to drain), written to bench/results/chaos.json beside the benchmarks.
// Exits 1 when any row lost, doubled or differed. Shorter versions of the same scenarios run in `npm test`.
import { join } from 'node:path';
import { Command } from 'commander';
import { type BenchRow, runSuite } from '../../bench/harness';
import { type ChaosRow, exact } from './scenarios/chaos-row';
import {
  brokerRestart,
  garbageInEveryInput,
  killsDuringRebalance,
  randomKills,
  scaleOneThreeOne,
} from './scenarios/fault-plans';
import { fleetScenario } from './scenarios/fleet-scenario';

const program = new Command('chaos')
  .description('Switchboard chaos scenarios: faults injected into the real stack, and what was lost (nothing)')
  .option(
    '--seed <n>',
    'seed of the random moments and victims (printed, so a run can be repeated)',
    `${Date.now() % 1e6}`,
  )
  .option('--kills <n>', 'SIGKILLs of a random aggregator instance', '5')
  .option('--minutes <n>', 'simulated minutes per tenant (≈ 420 events a minute each)', '60')
  .option('--results <dir>', 'where chaos.json goes', join(__dirname, '..', '..', 'bench', 'results'))
  .action(async (o: { seed: string; kills: string; minutes: string; results: string }) => {
    const rows: ChaosRow[] = [];
    await runSuite(
      {
        name: 'chaos',
        description: `faults into the real stack, seed ${o.seed}: rows equal a batch recomputation, nothing lost or doubled`,
        run: async (log) => {
          const options = { seed: Number(o.seed), minutes: Number(o.minutes), log };
          for (const plan of [
            randomKills(Number(o.kills)),
            killsDuringRebalance(3),
            scaleOneThreeOne(),
            brokerRestart(10_000),
            garbageInEveryInput(),
          ]) {
            log(`\n## ${plan.scenario}`);
            rows.push(await fleetScenario(plan, options));
          }
          return rows.map(tableRow);
        },
      },
      o.results,
    );
    const failed = rows.filter((r) => !exact(r));
    for (const r of failed)
      console.error(`NOT EXACT: ${r.scenario}: ${JSON.stringify([...r.planFailures, ...r.firstDifferences])}`);
    process.exitCode = failed.length > 0 ? 1 : 0;
  });

function tableRow(r: ChaosRow): BenchRow {
  return {
    scenario: r.scenario,
    faults: r.faults,
    sent: r.sent,
    acknowledged: r.acknowledged,
    'in topics': r.inTopics,
    'rows compared': r.rowsCompared,
    'rows differing': r.rowsDiffering,
    'verify differences': r.verifyDifferences,
    lost: r.lost,
    doubled: r.doubled,
    late: r.late,
    'drained s after input': Math.round(r.drainedSeconds * 10) / 10,
    'error lines': r.errorLines,
    notes: r.notes,
  };
}

program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
