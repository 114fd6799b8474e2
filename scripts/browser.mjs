// The browser tests (test/browser) drive the system Chromium through playwright-core (never a downloaded browser).
// `npm test` and CI make sure it is there: installed with apt-get when missing and we may (root), otherwise one
// sentence saying how.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(root) {
  const specs = resolve(root, 'test/browser');
  if (!existsSync(specs) || !readdirSync(specs).some((f) => f.endsWith('.spec.ts'))) return;
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(
      `[switchboard] the browser tests need Chromium at ${CHROMIUM}: run  sudo apt-get install -y chromium`,
    );
    return;
  }
  console.log('[switchboard] installing Chromium for the browser tests (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) {
      console.error(`[switchboard] apt-get ${args[0]} failed; install Chromium yourself: apt-get install -y chromium`);
      return;
    }
  }
}
