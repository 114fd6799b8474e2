// npm run bench [-- <suite>...] — runs the named suites (all when none), prints a table per suite and
// writes bench/results/<suite>.json. Suites need the broker and Postgres: `npm run bench` starts them.
import { join } from 'node:path';
import { Command } from 'commander';
import { aggregatorSuite } from './aggregator.bench';
import { billingSuite } from './billing.bench';
import { gatewaySuite } from './gateway.bench';
import { type BenchSuite, runSuite } from './harness';
import { ingestSuite } from './ingest.bench';
import { processingSuite } from './processing.bench';
import { replaySuite } from './replay.bench';
import { streamsSuite } from './streams.bench';

const suites: Record<string, () => BenchSuite> = {
  streams: streamsSuite,
  ingest: ingestSuite,
  processing: processingSuite,
  aggregator: aggregatorSuite,
  replay: replaySuite,
  billing: billingSuite,
  gateway: gatewaySuite,
};

const program = new Command('bench')
  .description('Switchboard benchmarks')
  .argument('[suites...]', `suites to run: ${Object.keys(suites).join(', ')} (default: all)`)
  .option('--results <dir>', 'where JSON results go', join(__dirname, 'results'))
  .action(async (names: string[], opts: { results: string }) => {
    const chosen = names.length > 0 ? names : Object.keys(suites);
    const unknown = chosen.filter((n) => !(n in suites));
    if (unknown.length > 0)
      program.error(`unknown suite(s): ${unknown.join(', ')}; choose from ${Object.keys(suites).join(', ')}`);
    for (const name of chosen) await runSuite(suites[name](), opts.results);
  });

program.parseAsync().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
