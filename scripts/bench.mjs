// `npm run bench [-- suite...]`: like `npm test`, brings up what the suites need, runs them, and stops
// what it started. Results: a table per suite on stdout and bench/results/<suite>.json.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, runTs, up } from './stack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = await up();
let code = 0;
try {
  runTs(resolve(root, 'bench/run.ts'), process.argv.slice(2));
} catch (err) {
  console.error(err.message);
  code = 1;
} finally {
  await down(started);
}
process.exit(code);
