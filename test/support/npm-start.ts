import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testEnv, uniqueName } from './env';

const root = join(__dirname, '..', '..');

/** A port nothing listens on now (the OS picks it). */
export async function freePort(port = 0): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: chosen } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return chosen;
}

/** A free port whose neighbours 10 and 20 above are free too (npm start's aggregators sit 10 apart). */
async function freeAggregatorBase(instances: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    try {
      for (let i = 1; i < instances; i++) await freePort(base + 10 * i);
      return base;
    } catch {
      /* a neighbour is taken: another base */
    }
  }
}

export interface NpmStartOptions {
  args: string[];
  aggregators?: number;
  /** Extra environment (LOG_FORMAT, …). */
  env?: Record<string, string>;
  /** Under `script` (util-linux): a real pseudo-terminal, as a person's. */
  tty?: boolean;
}

/**
 * `npm start` (node scripts/start.mjs) as a person runs it, in a namespace, a consumer group prefix and on ports of
 * its own, against the suite's broker and database (already up: it starts neither, so it stops neither).
 */
export class NpmStart {
  readonly namespace = uniqueName('start');
  readonly groupPrefix = uniqueName('start').replaceAll('-', '_');
  readonly output: string[] = [];
  ports = { ingest: 0, aggregator: 0, gateway: 0 };
  private child: ChildProcess | undefined;
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private rest = '';

  constructor(private readonly opts: NpmStartOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    this.ports = {
      ingest: await freePort(),
      aggregator: await freeAggregatorBase(this.opts.aggregators ?? 2),
      gateway: await freePort(),
    };
    const env = {
      ...process.env,
      KAFKA_BROKERS: testEnv.brokers.join(','),
      DATABASE_URL: testEnv.databaseUrl,
      SWITCHBOARD_TOPIC_NAMESPACE: this.namespace,
      AGGREGATOR_GROUP_PREFIX: this.groupPrefix,
      INGEST_PORT: String(this.ports.ingest),
      AGGREGATOR_PORT: String(this.ports.aggregator),
      DASHBOARD_GATEWAY_PORT: String(this.ports.gateway),
      ...this.opts.env,
    };
    const command = [process.execPath, join(root, 'scripts/start.mjs'), ...this.opts.args];
    this.child = this.opts.tty
      ? // `exec`: the command replaces the shell `script` runs it in ($SHELL, else /bin/sh). A dash left waiting
        // in between dies of the Ctrl-C itself, and `script -e` then reports 130 whatever npm start did.
        spawn('script', ['-qfec', `exec ${command.map(shellQuote).join(' ')}`, '/dev/null'], {
          cwd: root,
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawn(command[0], command.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = this.child;
    this.exit = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    child.stdout?.setEncoding('utf8').on('data', (c: string) => this.collect(c));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => this.collect(c));
    return this;
  }

  /** Ctrl-C: on a terminal the key itself (the pseudo-terminal sends SIGINT), else SIGINT to the process. */
  async interrupt(timeoutMs = 90_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child || !this.exit) throw new Error('not started');
    if (this.opts.tty) this.child.stdin?.write('\x03');
    else this.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`npm start did not stop within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends it at once, whatever it is doing (after a failed test), and every process it started. */
  kill(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    for (const pid of this.leftovers()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* ended meanwhile */
      }
    }
  }

  /**
   * Pids of the processes that run with this start's namespace in their environment (Linux /proc), and with
   * `also` (e.g. `INSTANCE_ID=aggregator-1`) when given.
   */
  leftovers(also?: string): number[] {
    const marks = [`SWITCHBOARD_TOPIC_NAMESPACE=${this.namespace}`, ...(also ? [also] : [])];
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const env = readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
          return marks.every((m) => env.includes(m));
        } catch {
          return false; // ended meanwhile
        }
      })
      .map(Number);
  }

  /** What it wrote, the last lines. */
  tail(lines = 80): string {
    return this.output.slice(-lines).join('\n');
  }

  private collect(chunk: string): void {
    const lines = (this.rest + chunk).split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    this.output.push(...lines);
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
