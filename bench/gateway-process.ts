import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createDashboardToken, type DashboardRole } from '@switchboard/domain';
import { testEnv } from '../test/support/env';

const root = join(__dirname, '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export class GatewayStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string[],
  ) {
    super(`${message}${logTail.length > 0 ? `; its last log lines:\n${logTail.join('\n')}` : ''}`);
    this.name = 'GatewayStartError';
  }
}

/**
 * The real dashboard gateway (apps/dashboard-gateway/src/main.ts, as `npm start` runs it) as a child process, so
 * its CPU and memory can be read from /proc apart from the clients that load it. Its own topic namespace and a
 * random token secret; Kafka and Postgres as the tests find them.
 */
export class GatewayProcess {
  readonly tokenSecret = randomBytes(48).toString('base64url');
  readonly log: string[] = [];
  private child: ChildProcess | undefined;
  private port = 0;

  constructor(readonly namespace: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('the gateway is not running');
    return pid;
  }

  token(tenant: string, role: DashboardRole = 'supervisor'): string {
    return createDashboardToken(this.tokenSecret, { tenant, role, ttlSeconds: 3600 });
  }

  /** Spawns it and resolves once /health/ready answers 200 (live delivery is attached before the port opens). */
  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'apps/dashboard-gateway/src/main.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: testEnv.databaseUrl,
          KAFKA_BROKERS: testEnv.brokers.join(','),
          SWITCHBOARD_TOPIC_NAMESPACE: this.namespace,
          DASHBOARD_TOKEN_SECRET: this.tokenSecret,
          DASHBOARD_GATEWAY_PORT: String(this.port),
          DASHBOARD_GATEWAY_HOST: '127.0.0.1',
          INSTANCE_ID: 'bench',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.log.push(line);
      if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await this.ready())) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new GatewayStartError(`the gateway exited (${child.exitCode ?? child.signalCode})`, this.log.slice(-20));
      if (Date.now() > deadline)
        throw new GatewayStartError(`the gateway was not ready after ${START_TIMEOUT_MS} ms`, this.log.slice(-20));
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (clients disconnected, its consumer group deleted); SIGKILL when it has not exited in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      return res.status === 200;
    } catch {
      return false;
    }
  }
}

/** A TCP port nobody listens on right now (the OS picks it; the child binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
