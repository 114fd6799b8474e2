import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIN_SECRET_BYTES } from '@switchboard/domain';

/** The repository's `.data` directory (where `npm start` keeps the broker's and Postgres' data too). */
export const DEFAULT_DATA_DIR = resolve(__dirname, '..', '..', '..', '.data');
export const DASHBOARD_TOKEN_SECRET_FILE = 'dashboard-token.secret';
/** The gateway's port when DASHBOARD_GATEWAY_PORT is unset; the default of DASHBOARD_PUBLIC_URL follows it. */
export const DEFAULT_DASHBOARD_GATEWAY_PORT = 3002;

export interface DashboardTokenSecret {
  secret: string;
  /** `env`: DASHBOARD_TOKEN_SECRET; `file`: read from `path`; `created`: this call wrote `path`. */
  source: 'env' | 'file' | 'created';
  path?: string;
}

export class DashboardSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardSecretError';
  }
}

/**
 * The secret that signs dashboard tokens, one place for the CLI (`switchboard tokens create`) and the gateway:
 * `DASHBOARD_TOKEN_SECRET` when set (and not empty), else the file `<dataDir>/dashboard-token.secret`, created
 * on first use with 48 random bytes (base64url, mode 0600). Creation is atomic: the secret is written to a
 * private temporary file and hard-linked into place, which fails when the file exists, so two processes starting
 * together end up with the same secret and nobody ever reads a half-written one.
 */
export function dashboardTokenSecret({
  env = process.env,
  dataDir = DEFAULT_DATA_DIR,
}: {
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
} = {}): DashboardTokenSecret {
  const fromEnv = env.DASHBOARD_TOKEN_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (Buffer.byteLength(fromEnv) < MIN_SECRET_BYTES) {
      throw new DashboardSecretError(
        `DASHBOARD_TOKEN_SECRET must be at least ${MIN_SECRET_BYTES} bytes; generate one with "openssl rand -base64 48", or unset it to use ${join(dataDir, DASHBOARD_TOKEN_SECRET_FILE)}`,
      );
    }
    return { secret: fromEnv, source: 'env' };
  }
  const path = join(dataDir, DASHBOARD_TOKEN_SECRET_FILE);
  const existing = readSecretFile(path);
  if (existing !== undefined) return { secret: existing, source: 'file', path };

  mkdirSync(dataDir, { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600); // the umask may have narrowed it; never wider
  let created = true;
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    created = false; // another process won the race: use its secret
  } finally {
    unlinkSync(tmp);
  }
  const secret = readSecretFile(path);
  if (secret === undefined) throw new DashboardSecretError(`${path} vanished while it was being created; start again`);
  return { secret, source: created ? 'created' : 'file', path };
}

function readSecretFile(path: string): string | undefined {
  let text: string;
  try {
    // Whoever can read the secret can sign a token for any tenant: a file open to the group or others is refused,
    // as ssh refuses a private key with such a mode.
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      throw new DashboardSecretError(
        `${path} may be read by other users (mode ${mode.toString(8).padStart(4, '0')}); make it private with "chmod 600 ${path}"`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof DashboardSecretError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DashboardSecretError(`cannot read the dashboard token secret ${path}: ${(err as Error).message}`);
  }
  const secret = text.trim();
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new DashboardSecretError(
      `${path} holds a secret shorter than ${MIN_SECRET_BYTES} bytes; delete it to have a new one made (tokens signed with it stop working)`,
    );
  }
  return secret;
}

/**
 * Where the dashboard is reached: DASHBOARD_PUBLIC_URL, else the gateway on this machine
 * (`http://127.0.0.1:<DASHBOARD_GATEWAY_PORT or 3002>`); no trailing slash. Throws a sentence when it is not an
 * http(s) URL.
 */
export function dashboardPublicUrl(env: NodeJS.ProcessEnv): string {
  const url =
    env.DASHBOARD_PUBLIC_URL || `http://127.0.0.1:${env.DASHBOARD_GATEWAY_PORT || DEFAULT_DASHBOARD_GATEWAY_PORT}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.hash || parsed.search) {
    throw new DashboardSecretError(
      'DASHBOARD_PUBLIC_URL must be an http(s) URL without query or fragment, such as https://dashboards.example.com',
    );
  }
  return url.replace(/\/+$/, '');
}

/** The dashboard link carrying a token: in the URL fragment, which browsers never send, so it stays out of logs. */
export function dashboardLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/#token=${token}`;
}
