import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DashboardSecretError,
  dashboardLink,
  dashboardPublicUrl,
  dashboardTokenSecret,
} from './dashboard-token-secret';

describe('dashboardTokenSecret', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-secret-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prefers DASHBOARD_TOKEN_SECRET and refuses one shorter than 32 bytes', () => {
    const secret = 'x'.repeat(32);
    expect(dashboardTokenSecret({ env: { DASHBOARD_TOKEN_SECRET: secret }, dataDir })).toEqual({
      secret,
      source: 'env',
    });
    expect(() => dashboardTokenSecret({ env: { DASHBOARD_TOKEN_SECRET: 'short' }, dataDir })).toThrow(
      'DASHBOARD_TOKEN_SECRET must be at least 32 bytes',
    );
  });

  it('creates the file once (48 random bytes, base64url, mode 0600) and reads it afterwards; empty env means unset', () => {
    const first = dashboardTokenSecret({ env: { DASHBOARD_TOKEN_SECRET: '' }, dataDir: join(dataDir, 'nested') });
    expect(first.source).toBe('created');
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(statSync(join(dataDir, 'nested', 'dashboard-token.secret')).mode & 0o777).toBe(0o600);
    const again = dashboardTokenSecret({ env: {}, dataDir: join(dataDir, 'nested') });
    expect(again).toEqual({ ...first, source: 'file' });
  });

  it('refuses a file holding a short secret with a sentence saying what to do', () => {
    writeFileSync(join(dataDir, 'dashboard-token.secret'), 'tiny\n', { mode: 0o600 });
    expect(() => dashboardTokenSecret({ env: {}, dataDir })).toThrow(DashboardSecretError);
    expect(() => dashboardTokenSecret({ env: {}, dataDir })).toThrow(/shorter than 32 bytes; delete it/);
  });

  it('refuses a secret file other users may read, naming the chmod that fixes it', () => {
    const path = join(dataDir, 'dashboard-token.secret');
    writeFileSync(path, `${'s'.repeat(64)}\n`, { mode: 0o600 });
    expect(dashboardTokenSecret({ env: {}, dataDir }).source).toBe('file');
    chmodSync(path, 0o644);
    expect(() => dashboardTokenSecret({ env: {}, dataDir })).toThrow(DashboardSecretError);
    expect(() => dashboardTokenSecret({ env: {}, dataDir })).toThrow(
      `mode 0644); make it private with "chmod 600 ${path}"`,
    );
  });

  it('gives processes starting together the same secret', async () => {
    const root = resolve(__dirname, '..', '..', '..');
    const script = `process.stdout.write(require(${JSON.stringify(__dirname)} + '/dashboard-token-secret').dashboardTokenSecret({ env: {}, dataDir: ${JSON.stringify(dataDir)} }).secret)`;
    const run = () =>
      new Promise<string>((done, fail) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
          cwd: root,
          env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
        });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`exit ${code}`))));
      });
    const secrets = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toBe(readFileSync(join(dataDir, 'dashboard-token.secret'), 'utf8').trim());
  });
});

describe('dashboardPublicUrl and dashboardLink', () => {
  it('defaults to the local gateway port and puts the token in the fragment', () => {
    expect(dashboardPublicUrl({})).toBe('http://127.0.0.1:3002');
    expect(dashboardPublicUrl({ DASHBOARD_GATEWAY_PORT: '4000' })).toBe('http://127.0.0.1:4000');
    expect(dashboardPublicUrl({ DASHBOARD_PUBLIC_URL: 'https://dash.example.com/' })).toBe('https://dash.example.com');
    expect(dashboardLink('https://dash.example.com', 'sbt_a.b')).toBe('https://dash.example.com/#token=sbt_a.b');
  });

  it.each(['not a url', 'ftp://x', 'https://x/?a=1', 'https://x/#y'])('refuses %j', (url) => {
    expect(() => dashboardPublicUrl({ DASHBOARD_PUBLIC_URL: url })).toThrow(
      'DASHBOARD_PUBLIC_URL must be an http(s) URL',
    );
  });
});
