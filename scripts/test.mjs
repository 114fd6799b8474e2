// `npm test`: installs what is missing, starts the broker and the database when they are not running,
// migrates, runs the whole Jest suite (unit and integration), and stops only what it started.
// Extra arguments go to Jest (npm test -- libs/streams).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, up } from './stack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = await up();
let status = 1;
try {
  const jest = spawnSync(process.execPath, [resolve(root, 'node_modules/jest/bin/jest.js'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  status = jest.status ?? 1;
} finally {
  await down(started);
}
process.exit(status);
