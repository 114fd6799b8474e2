import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..');
/** What `npm run build` writes and the image's runtime stage copies to /app. */
export const BUILD_DIR = join(ROOT, 'dist');

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  restart?: string;
  init?: boolean;
  hostname?: string;
  container_name?: string;
  network_mode?: string;
  volumes?: string[];
}

export interface ComposeFile {
  version?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * Compose's `${NAME}`, `${NAME:-default}` and `${NAME-default}` (and `$$`), on every string value after parsing, as
 * `docker compose` does. `env` is the shell's environment; the tests pass none, so the documented defaults apply.
 */
export function interpolate<T>(value: T, env: Record<string, string | undefined> = {}): T {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (whole, name, op, fallback) => {
      if (whole === '$$') return '$';
      const v = env[name];
      if (op === ':-') return v === undefined || v === '' ? fallback : v;
      if (op === '-') return v === undefined ? fallback : v;
      return v ?? '';
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  }
  return value;
}

/** docker-compose.yml as compose reads it: merge keys (`<<: *app`) applied, variables interpolated. */
export function loadCompose(env: Record<string, string | undefined> = {}): ComposeFile {
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  return interpolate(parse(text, { merge: true }) as ComposeFile, env);
}

/** The service's environment as strings (compose passes numbers as their text). */
export function serviceEnv(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** The container port a `ports:` entry publishes (`3000:3000`, `127.0.0.1:3000:3000/tcp`). */
export function publishedContainerPort(entry: string): number {
  const parts = entry.replace(/\/(tcp|udp)$/, '').split(':');
  return Number(parts[parts.length - 1]);
}

/** Everything the build reads: when none of it changed since the last build, dist/ is current. */
function buildInputsHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (!e.name.endsWith('.spec.ts')) hash.update(relative(ROOT, path)).update(readFileSync(path));
    }
  };
  for (const dir of ['apps', 'libs', 'migrations']) walk(join(ROOT, dir));
  for (const file of [
    'tsconfig.json',
    'tsconfig.build.json',
    'nest-cli.json',
    'package-lock.json',
    'scripts/build.mjs',
  ]) {
    hash.update(file).update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex');
}

const STAMP = join(ROOT, '.data', 'build.stamp');
const LOCK = join(ROOT, '.data', 'build.lock');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `npm run build` unless dist/ was built from the sources as they are now (a hash in .data/build.stamp). Test
 * files running at once share one build: the first takes a lock (a directory with its pid), the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        // just taken, the pid not written yet; or stale without one
        if (Date.now() - statSync(LOCK).mtimeMs > 10_000) holder = -1;
      }
      if (holder === -1 || (holder > 0 && !pidAlive(holder))) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const inputs = buildInputsHash();
    const current = existsSync(STAMP) && existsSync(BUILD_DIR) && readFileSync(STAMP, 'utf8') === inputs;
    if (current) return;
    rmSync(STAMP, { force: true });
    const res = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`npm run build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
    writeFileSync(STAMP, inputs);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
