import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from '../test/support/env';
import { freePort } from '../test/support/npm-start';

const root = join(__dirname, '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string[],
  ) {
    super(`${message}${logTail.length > 0 ? `; its last log lines:\n${logTail.join('\n')}` : ''}`);
    this.name = 'ServiceStartError';
  }
}

/**
 * One of the real apps (`apps/<app>/src/main.ts`, as `npm start` runs it) as a child process on a free port, so
 * its CPU and memory can be read from /proc apart from the bench's own work. Kafka and Postgres as the tests find
 * them, LOG_LEVEL warn (its log lines are kept), plus `env`; `portVariable` names the variable its port goes in.
 */
export class ServiceProcess {
  readonly log: string[] = [];
  private child: ChildProcess | undefined;
  private port = 0;

  constructor(
    readonly app: string,
    private readonly portVariable: string,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`the ${this.app} is not running`);
    return pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns it and resolves once /health/ready answers 200. */
  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, `apps/${this.app}/src/main.ts`)], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: testEnv.databaseUrl,
        KAFKA_BROKERS: testEnv.brokers.join(','),
        LOG_LEVEL: 'warn',
        ...this.env,
        [this.portVariable]: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.log.push(line);
      if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await this.ready())) {
      if (!this.running)
        throw new ServiceStartError(
          `the ${this.app} exited (${child.exitCode ?? child.signalCode})`,
          this.log.slice(-20),
        );
      if (Date.now() > deadline)
        throw new ServiceStartError(`the ${this.app} was not ready after ${START_TIMEOUT_MS} ms`, this.log.slice(-20));
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGTERM (its own graceful shutdown); SIGKILL when it has not exited in time. */
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
