import { randomBytes } from 'node:crypto';
import { verifyDashboardToken } from '@switchboard/domain';
import { loadGatewayConfig } from '../../apps/dashboard-gateway/src/config';
import { runSwitchboard } from '../support/switchboard-cli';

// `switchboard tokens create` as an operator runs it: the link carries the token in its fragment, and the token
// verifies with the secret the gateway reads.
describe('switchboard tokens create', () => {
  it('prints the dashboard link and the token, signed with DASHBOARD_TOKEN_SECRET', () => {
    const secret = randomBytes(48).toString('base64url');
    const before = Math.floor(Date.now() / 1000);
    const r = runSwitchboard(['tokens', 'create', '--tenant', 'acme', '--role', 'analyst', '--ttl', '15m'], {
      DASHBOARD_TOKEN_SECRET: secret,
      DASHBOARD_PUBLIC_URL: 'https://dash.example.com/',
    });
    expect(r.status).toBe(0);
    const [link, token, ...rest] = r.stdout.split('\n');
    expect(rest).toEqual(['']);
    expect(link).toBe(`https://dash.example.com/#token=${token}`);
    const claims = verifyDashboardToken(secret, token);
    expect(claims).toMatchObject({ tenant: 'acme', role: 'analyst' });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(r.stderr).toMatch(/^dashboard link for tenant acme \(role analyst\), valid until \d{4}-/);
  });

  it('without DASHBOARD_TOKEN_SECRET signs with the secret file the gateway reads (role supervisor, 8 h by default)', () => {
    const r = runSwitchboard(['tokens', 'create', '--tenant', 'demo'], { DASHBOARD_TOKEN_SECRET: '' });
    expect(r.status).toBe(0);
    const [link, token] = r.stdout.split('\n');
    expect(link).toBe(`http://127.0.0.1:3002/#token=${token}`);
    const gateway = loadGatewayConfig({ DASHBOARD_TOKEN_SECRET: '' });
    const claims = verifyDashboardToken(gateway.tokenSecret, token);
    expect(claims).toMatchObject({ tenant: 'demo', role: 'supervisor' });
    expect(claims.exp - claims.iat).toBe(8 * 3600);
  });

  it.each([
    [['--tenant', 'a/b'], 'tenant must be 1–64 characters'],
    [['--tenant', 'acme', '--role', 'admin'], 'role must be one of supervisor, analyst, operator'],
    [['--tenant', 'acme', '--ttl', '31d'], 'ttl must be a positive number with a unit s, m, h or d'],
    [['--tenant', 'acme', '--ttl', '0h'], 'ttl must be a positive number'],
    [['--tenant', 'acme', '--ttl', 'forever'], 'ttl must be a positive number'],
  ])('refuses %j with one sentence and exit 1', (args, sentence) => {
    const r = runSwitchboard(['tokens', 'create', ...args], { DASHBOARD_TOKEN_SECRET: 'z'.repeat(40) });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(sentence);
  });

  it('refuses a short DASHBOARD_TOKEN_SECRET, saying how to make one', () => {
    const r = runSwitchboard(['tokens', 'create', '--tenant', 'acme'], { DASHBOARD_TOKEN_SECRET: 'short' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DASHBOARD_TOKEN_SECRET must be at least 32 bytes');
  });
});
