// npm run bench [-- <suite>...] [-- --smoke] — runs the named suites (all when none), prints a table per suite and
// writes bench/results/<suite>.json. Suites need the broker and Postgres: `npm run bench` starts them.
// --smoke: tiny inputs, one run each (bench/smoke-env.ts), results into a temporary folder unless --results.
import './smoke-env'; // first: sets the suites' sizes before they load
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { aggregatorSuite } from './aggregator.bench';
import { billingSuite } from './billing.bench';
import { e2eSuite } from './e2e.bench';
import { gatewaySuite } from './gateway.bench';
import { type BenchSuite, runSuite } from './harness';
import { ingestSuite } from './ingest.bench';
import { peersSuite } from './peers.bench';
import { processingSuite } from './processing.bench';
import { recoverySuite } from './recovery.bench';
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
  peers: peersSuite,
  e2e: e2eSuite,
  recovery: recoverySuite,
};

const program = new Command('bench')
  .description('Switchboard benchmarks')
  .argument('[suites...]', `suites to run: ${Object.keys(suites).join(', ')} (default: all)`)
  .option('--results <dir>', 'where JSON results go (default bench/results; a temporary folder with --smoke)')
  .option('--smoke', 'tiny inputs, one run of each job: proves every suite runs and prints figures')
  .action(async (names: string[], opts: { results?: string }) => {
    const results =
      opts.results ??
      (process.env.BENCH_SMOKE === '1' ? mkdtempSync(join(tmpdir(), 'bench-smoke-')) : join(__dirname, 'results'));
    const chosen = names.length > 0 ? names : Object.keys(suites);
    const unknown = chosen.filter((n) => !(n in suites));
    if (unknown.length > 0)
      program.error(`unknown suite(s): ${unknown.join(', ')}; choose from ${Object.keys(suites).join(', ')}`);
    for (const name of chosen) await runSuite(suites[name](), results);
  });

program.parseAsync().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
