// Runs `npm ci` when node_modules is missing or was installed from another package-lock.json.
// Zero dependencies: it is what makes the dependencies appear.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'node_modules', '.switchboard-lock-sha256');

export function ensureDeps() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const want = createHash('sha256').update(lock).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return false;
  console.log('[switchboard] installing dependencies (npm ci)…');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`npm ci failed (exit ${res.status}); see its output above.`);
  writeFileSync(stamp, want);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureDeps();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
