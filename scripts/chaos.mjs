// `npm run chaos [-- options]`: like `npm run bench`, brings up the broker and Postgres, runs every chaos scenario
// (test/chaos/run.ts), prints the table, writes bench/results/chaos.json and stops what it started.
import { runWithStack } from './stack.mjs';

process.exit(await runWithStack('test/chaos/run.ts', process.argv.slice(2)));
