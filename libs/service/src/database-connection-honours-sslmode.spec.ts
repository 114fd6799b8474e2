import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatabaseConnection, poolConfig } from './database-pool';
import { issuesOf as envIssuesOf } from './env-spec-helpers';

const dir = mkdtempSync(join(tmpdir(), 'database-connection-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, 'CA PEM');
const url = (query = '') => `postgres://app:pw@db.example.com:5432/switchboard${query}`;
const issuesOf = (env: NodeJS.ProcessEnv) => envIssuesOf(loadDatabaseConnection, env);

describe('loadDatabaseConnection', () => {
  it('is plaintext without sslmode, and gives pg ssl: false explicitly (PGSSLMODE must not decide behind it)', () => {
    const db = loadDatabaseConnection({ DATABASE_URL: url() });
    expect(db).toEqual({ url: url(), ssl: false, connectTimeoutMs: 10_000 });
    expect(poolConfig(db, 'spec')).toMatchObject({ ssl: false, connectionTimeoutMillis: 10_000 });
    expect(poolConfig(db, 'spec')).not.toHaveProperty('statement_timeout');
  });

  it('maps sslmode as libpq does: require encrypts, verify-ca checks the chain, verify-full the host name too', () => {
    expect(loadDatabaseConnection({ DATABASE_URL: url('?sslmode=disable') }).ssl).toBe(false);
    expect(loadDatabaseConnection({ DATABASE_URL: url('?sslmode=prefer') }).ssl).toBe(false);
    expect(loadDatabaseConnection({ DATABASE_URL: url('?sslmode=require') }).ssl).toEqual({
      rejectUnauthorized: false,
    });

    const verifyCa = loadDatabaseConnection({ DATABASE_URL: url('?sslmode=verify-ca'), DATABASE_SSL_CA_FILE: ca });
    expect(verifyCa.ssl).toMatchObject({ ca: Buffer.from('CA PEM'), rejectUnauthorized: true });
    expect((verifyCa.ssl as { checkServerIdentity?: () => unknown }).checkServerIdentity?.()).toBeUndefined();

    const full = loadDatabaseConnection({ DATABASE_URL: url(`?sslmode=verify-full&sslrootcert=${ca}`) });
    expect(full.ssl).toEqual({ ca: Buffer.from('CA PEM'), rejectUnauthorized: true });
    // the TLS parameters leave the URL: pg would otherwise read them its own way and override ours
    expect(full.url).toBe(url());

    // require with a CA checks the chain (libpq does the same when a root certificate is there)
    expect(
      loadDatabaseConnection({ DATABASE_URL: url('?sslmode=require'), DATABASE_SSL_CA_FILE: ca }).ssl,
    ).toMatchObject({
      ca: Buffer.from('CA PEM'),
      rejectUnauthorized: true,
    });
  });

  it('takes statement and connection timeouts; a caller option (the gateway’s own statement timeout) wins', () => {
    const db = loadDatabaseConnection({
      DATABASE_URL: url(),
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
    });
    expect(poolConfig(db, 'ingest')).toMatchObject({
      statement_timeout: 30_000,
      connectionTimeoutMillis: 2500,
      application_name: 'ingest',
      connectionString: url(),
    });
    expect(poolConfig(db, 'gateway', { statement_timeout: 15_000 }).statement_timeout).toBe(15_000);
  });

  it('names the variable of every problem', () => {
    expect(issuesOf({ DATABASE_URL: url('?sslmode=always') })).toEqual([
      'DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full (it is always)',
    ]);
    expect(issuesOf({ DATABASE_URL: url(), DATABASE_SSL_CA_FILE: ca })).toEqual([
      'DATABASE_SSL_CA_FILE: only used with sslmode=require, verify-ca or verify-full in DATABASE_URL',
    ]);
    expect(
      issuesOf({ DATABASE_URL: url('?sslmode=verify-full'), DATABASE_SSL_CA_FILE: join(dir, 'none.pem') }),
    ).toEqual([`DATABASE_SSL_CA_FILE: cannot read ${join(dir, 'none.pem')} (ENOENT)`]);
    expect(issuesOf({ DATABASE_URL: url(), DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toEqual([
      expect.stringMatching(/^DATABASE_STATEMENT_TIMEOUT_MS: /),
    ]);
  });
});
