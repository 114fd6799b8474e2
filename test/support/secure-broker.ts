import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const brokerScript = join(root, 'tools/kafka/broker.mjs');

/**
 * The security specs' broker (test/security): tools/kafka/broker.mjs with a SASL_SSL listener (SCRAM-SHA-512) and a
 * mutual-TLS SSL listener next to its plaintext one, a CA and certificates made for it at its format. One JVM is
 * shared by the spec files of a run: each holds a lease while it needs it, and the last one out stops it.
 *
 * Its ports follow KAFKA_PORT (the suite's broker): +2 plaintext, +3 controller, +4 SASL_SSL, +5 SSL, so the CI's
 * broker on 9092 gets 9094–9097 and never meets another run's.
 */
export interface SecureBroker {
  plaintext: string;
  saslSsl: string;
  ssl: string;
  username: string;
  password: string;
  /** PEM files: the CA that signed the broker's and the client's certificates, the client's certificate and key. */
  files: { ca: string; clientCert: string; clientKey: string };
  /** The files of another CA and a client certificate it signed: what the broker must not trust, nor we it. */
  stranger: { ca: string; clientCert: string; clientKey: string };
  release(): Promise<void>;
}

const base = Number(process.env.KAFKA_PORT ?? 9092);
const ports = { plain: base + 2, controller: base + 3, saslSsl: base + 4, ssl: base + 5 };
const dataDir = join(root, '.data', `kafka-secure-${base}`);
const leases = join(root, '.data', `kafka-secure-${base}.leases`);
const lock = `${leases}.lock`;
const username = 'switchboard';

function brokerEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    JAVA_HOME: process.env.JAVA_HOME,
    KAFKA_DATA_DIR: dir,
    KAFKA_PORT: String(ports.plain),
    KAFKA_CONTROLLER_PORT: String(ports.controller),
    KAFKA_SASL_SSL_PORT: String(ports.saslSsl),
    KAFKA_SSL_PORT: String(ports.ssl),
    KAFKA_HEAP: '-Xms256m -Xmx512m',
    KAFKA_START_TIMEOUT_MS: '180000',
  };
}

async function broker(command: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [brokerScript, command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`tools/kafka/broker.mjs ${command} failed (exit ${code}): ${out}`);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A directory as a lock (mkdir is atomic), so a lease and a start, or a release and a stop, never interleave. */
async function locked<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(root, '.data'), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 5 minutes: remove it if no spec runs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmdirSync(lock);
  }
}

/** The leases of live processes (a killed spec's lease does not keep the broker). */
function liveLeases(): string[] {
  if (!existsSync(leases)) return [];
  return readdirSync(leases).filter((l) => alive(Number(l.split('-')[0])));
}

/** Takes a lease on the shared secured broker, starting it (fresh: new CA, new password) when none runs. */
export async function secureBroker(): Promise<SecureBroker> {
  const lease = join(leases, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const passwordFile = join(dataDir, 'scram.password');
  const strangerDir = join(dataDir, 'stranger');
  await locked(async () => {
    const running = liveLeases().length > 0 && existsSync(passwordFile);
    if (!running) {
      await broker('stop', brokerEnv(dataDir)).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const password = randomBytes(18).toString('base64url');
      writeFileSync(passwordFile, password, { mode: 0o600 });
      await broker('certs', brokerEnv(strangerDir));
      await broker('start', { ...brokerEnv(dataDir), KAFKA_SCRAM_USERS: `${username}=${password}` });
    }
    mkdirSync(leases, { recursive: true });
    writeFileSync(lease, '');
  });
  const tls = (dir: string) => ({
    ca: join(dir, 'tls', 'ca.pem'),
    clientCert: join(dir, 'tls', 'client.pem'),
    clientKey: join(dir, 'tls', 'client.key'),
  });
  return {
    plaintext: `127.0.0.1:${ports.plain}`,
    saslSsl: `127.0.0.1:${ports.saslSsl}`,
    ssl: `127.0.0.1:${ports.ssl}`,
    username,
    password: readFileSync(passwordFile, 'utf8'),
    files: tls(dataDir),
    stranger: tls(strangerDir),
    release: () =>
      locked(async () => {
        rmSync(lease, { force: true });
        if (liveLeases().length === 0) await broker('stop', brokerEnv(dataDir));
      }),
  };
}

/** The shared secured broker for the tests of one spec file: leased before them, released after. */
export function useSecureBroker(): () => SecureBroker {
  let broker: SecureBroker | undefined;
  beforeAll(async () => {
    broker = await secureBroker();
  }, 240_000);
  afterAll(() => broker?.release(), 60_000);
  return () => {
    if (!broker) throw new Error('the secured broker is not leased (useSecureBroker runs its beforeAll first)');
    return broker;
  };
}

/** The variables of a service on the broker's SASL_SSL listener, as an operator sets them; `overrides` on top. */
export function saslSslEnv(broker: SecureBroker, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: broker.saslSsl,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: broker.username,
    KAFKA_SASL_PASSWORD: broker.password,
    KAFKA_SSL_CA_FILE: broker.files.ca,
    ...overrides,
  };
}
