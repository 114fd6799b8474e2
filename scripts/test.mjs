// `npm test`: installs what is missing, starts the broker and the database when they are not running,
// migrates, runs the whole Jest suite (unit and integration), and stops only what it started.
// Extra arguments go to Jest (npm test -- libs/streams).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './browser.mjs';
import { down, up } from './stack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
ensureChromium(root);
const started = await up();
let status = 1;
try {
  const jest = (args) =>
    spawnSync(process.execPath, [resolve(root, 'node_modules/jest/bin/jest.js'), ...args], {
      cwd: root,
      stdio: 'inherit',
    }).status ?? 1;
  const args = process.argv.slice(2);
  if (args.length > 0) status = jest(args);
  else {
    // The chaos tests run real service fleets and kill them, and so do the tests of `npm start` itself: alone,
    // after the rest, so neither starves the other of the two cores (their timing bounds are about the system,
    // not about a crowded machine).
    status = jest(['--testPathIgnorePatterns', '/test/chaos/', '/test/start/']);
    const chaos = jest(['--runInBand', 'test/chaos', 'test/start']);
    if (status === 0) status = chaos;
  }
} finally {
  await down(started);
}
process.exit(status);
