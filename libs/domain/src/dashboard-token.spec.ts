import { createHmac } from 'node:crypto';
import { createDashboardToken, DashboardTokenError, verifyDashboardToken } from './dashboard-token';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const NOW = Date.UTC(2026, 10, 25, 12);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DashboardTokenError) return err.code;
    throw err;
  }
  throw new Error('accepted');
}

describe('dashboard tokens', () => {
  const token = createDashboardToken(SECRET, { tenant: 'acme', role: 'supervisor', ttlSeconds: 3600 }, NOW);

  it('round-trips tenant, role and lifetime', () => {
    expect(token).toMatch(/^sbt_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyDashboardToken(SECRET, token, NOW + 1000)).toEqual({
      tenant: 'acme',
      role: 'supervisor',
      iat: NOW / 1000,
      exp: NOW / 1000 + 3600,
    });
  });

  it('refuses an expired token, another secret and a changed payload', () => {
    expect(refusal(() => verifyDashboardToken(SECRET, token, NOW + 3600_000))).toBe('expired');
    expect(refusal(() => verifyDashboardToken(`${SECRET}x`, token, NOW))).toBe('bad_signature');
    // Another tenant's name in the payload, the signature kept: the signature no longer matches.
    const [payload, signature] = token.slice(4).split('.');
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"acme"', '"evil"')).toString(
      'base64url',
    );
    expect(refusal(() => verifyDashboardToken(SECRET, `sbt_${forged}.${signature}`, NOW))).toBe('bad_signature');
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'Bearer abc'],
    ['no signature', 'sbt_abc'],
    ['three parts', 'sbt_a.b.c'],
    ['oversized', `sbt_${'a'.repeat(2000)}.b`],
  ])('refuses %s as malformed', (_name, value) => {
    expect(refusal(() => verifyDashboardToken(SECRET, value, NOW))).toBe('malformed');
  });

  it.each([
    ['junk appended to the signature', `${token}!!`],
    ['junk inside the signature', `${token.slice(0, -2)}*${token.slice(-2)}`],
    ['padding', `${token}=`],
    ['a signature with trailing bits set', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
  ])('refuses %s, a different string decoding to the same bytes, as malformed or unsigned', (_name, value) => {
    expect(value).not.toBe(token);
    expect(['malformed', 'bad_signature']).toContain(refusal(() => verifyDashboardToken(SECRET, value, NOW)));
  });

  it('refuses a validly signed token with a lifetime over 30 days or issued in the future', () => {
    const signed = (claims: object) => {
      const payload = Buffer.from(JSON.stringify({ v: 1, tenant: 'acme', role: 'analyst', ...claims })).toString(
        'base64url',
      );
      return `sbt_${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
    };
    const iat = NOW / 1000;
    expect(verifyDashboardToken(SECRET, signed({ iat, exp: iat + 30 * 86_400 }), NOW).role).toBe('analyst');
    expect(refusal(() => verifyDashboardToken(SECRET, signed({ iat, exp: iat + 30 * 86_400 + 1 }), NOW))).toBe(
      'malformed',
    );
    expect(refusal(() => verifyDashboardToken(SECRET, signed({ iat: iat + 3600, exp: iat + 7200 }), NOW))).toBe(
      'malformed',
    );
    expect(
      refusal(() => createDashboardToken(SECRET, { tenant: 'acme', role: 'analyst', ttlSeconds: 31 * 86_400 })),
    ).toBe('malformed');
  });

  it('refuses a validly signed payload with unknown claims', () => {
    const payload = Buffer.from(JSON.stringify({ v: 1, tenant: 'acme', role: 'root', iat: 0, exp: 2e9 })).toString(
      'base64url',
    );
    const sig = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(refusal(() => verifyDashboardToken(SECRET, `sbt_${payload}.${sig}`, NOW))).toBe('malformed');
  });

  it('refuses weak secrets and bad claims when signing', () => {
    expect(refusal(() => createDashboardToken('short', { tenant: 'acme', role: 'analyst', ttlSeconds: 60 }))).toBe(
      'weak_secret',
    );
    expect(refusal(() => createDashboardToken(SECRET, { tenant: 'a b', role: 'analyst', ttlSeconds: 60 }))).toBe(
      'malformed',
    );
    expect(refusal(() => createDashboardToken(SECRET, { tenant: 'acme', role: 'analyst', ttlSeconds: 0 }))).toBe(
      'malformed',
    );
  });
});
