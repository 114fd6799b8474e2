// `npm run bench [-- suite...]`: like `npm test`, brings up what the suites need, runs them, and stops
// what it started. Results: a table per suite on stdout and bench/results/<suite>.json.
import { runWithStack } from './stack.mjs';

process.exit(await runWithStack('bench/run.ts', process.argv.slice(2)));
