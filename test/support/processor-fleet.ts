import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEnv, uniqueName } from './env';
import { ProcessorTables } from './processor-tables';
import { sumTotals } from './sum-totals';

const root = join(__dirname, '..', '..');

/** Sum-topology processors as child processes (so they can be SIGKILLed), plus their tables. */
export class ProcessorFleet {
  readonly topic = uniqueName('t-proc');
  readonly group = uniqueName('g-proc');
  private readonly tables = new ProcessorTables();
  private readonly workers = new Set<ChildProcess>();
  readonly log: string[] = [];

  constructor(private readonly settings: { windowMs: number; graceMs: number; idleMs?: number }) {}

  setUp(): Promise<void> {
    return this.tables.setUp();
  }

  start(name: string): ChildProcess {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'test/support/sum-processor-worker.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          KAFKA_BROKERS: testEnv.brokers.join(','),
          DATABASE_URL: testEnv.databaseUrl,
          TOPIC: this.topic,
          GROUP: this.group,
          TABLE: this.tables.table,
          PREFIX: this.tables.prefix,
          WINDOW_MS: String(this.settings.windowMs),
          GRACE_MS: String(this.settings.graceMs),
          ...(this.settings.idleMs ? { IDLE_MS: String(this.settings.idleMs) } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.log.push(`${name}: ${line}`);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    this.workers.add(child);
    child.once('exit', () => this.workers.delete(child));
    return child;
  }

  async stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** The table as a map "key@windowStart" → total. */
  totals(): Promise<Map<string, number>> {
    return sumTotals(this.tables.pool, this.tables.table);
  }

  async tearDown(): Promise<void> {
    await Promise.all([...this.workers].map((w) => this.stop(w, 'SIGKILL')));
    await this.tables.tearDown();
  }
}
