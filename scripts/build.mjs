// `npm run build`: the compiled JavaScript the Docker image runs, in dist/ (the image's /app is dist/ plus
// package.json and production node_modules, so `node apps/ingest/src/main.js` runs there as from dist/ here).
//
// One `nest build` (tsc builder, tsconfig.build.json) compiles every app, the CLI (apps/cli) and the migrations: they
// are one TypeScript program, so a build per app would write the same files three times. Nest's tsc builder rewrites
// the @switchboard/* path aliases to relative requires (tsconfig.build.json maps them without the .ts extension, so
// the rewritten requires name the .js files). The gateway's page assets are copied next to the compiled controller,
// and libs/domain's derived-metrics.js (shared by the domain and the page) next to the compiled domain.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');
const assets = 'apps/dashboard-gateway/src/page/assets';
const derivedMetrics = 'libs/domain/src/derived-metrics.js';

const t0 = Date.now();
rmSync(dist, { recursive: true, force: true });
const nest = createRequire(resolve(root, 'package.json')).resolve('@nestjs/cli/bin/nest.js');
const res = spawnSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'inherit' });
if (res.status !== 0) {
  console.error(`[switchboard] build failed (nest build exit ${res.status ?? res.signal})`);
  process.exit(1);
}
cpSync(resolve(root, assets), resolve(dist, assets), { recursive: true });
// A plain script (typed by its .d.ts) that tsc does not emit: the domain requires it, the page loads it.
cpSync(resolve(root, derivedMetrics), resolve(dist, derivedMetrics));
console.log(`[switchboard] built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
