import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventually } from './wait';

const root = join(__dirname, '..', '..');

/** The entry point of each service, run from source as `npm start` runs it. */
export const SERVICE_ENTRIES = {
  ingest: 'apps/ingest/src/main.ts',
  aggregator: 'apps/aggregator/src/main.ts',
  'dashboard-gateway': 'apps/dashboard-gateway/src/main.ts',
} as const;

export type ServiceName = keyof typeof SERVICE_ENTRIES;

/** The variable that sets each service's HTTP port. */
const PORT_VARIABLE: Record<ServiceName, string> = {
  ingest: 'INGEST_PORT',
  aggregator: 'AGGREGATOR_PORT',
  'dashboard-gateway': 'DASHBOARD_GATEWAY_PORT',
};

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

interface Running {
  child: ChildProcess;
  port: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Services run as child processes with exactly the environment given (no inherited Kafka or database variables),
 * every line they print kept in `output` (a spec may read the whole run's logs).
 */
export class ServiceProcesses {
  readonly output: string[] = [];
  private readonly running = new Map<string, Running>();

  /** Starts `service` as `name` on a free port; `env` is all it gets besides PATH. */
  async start(name: string, service: ServiceName, env: Record<string, string>): Promise<void> {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, SERVICE_ENTRIES[service])], {
      cwd: root,
      env: { PATH: process.env.PATH, INSTANCE_ID: name, ...env, [PORT_VARIABLE[service]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.output.push(`${name}: ${line}`);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exit = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    this.running.set(name, { child, port, exit });
  }

  port(name: string): number {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} was not started`);
    return r.port;
  }

  /** Resolves once the service's /health/ready answers 200; fails at once when it exits instead. */
  async ready(name: string, timeoutMs = 90_000): Promise<void> {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} was not started`);
    await eventually(
      async () => {
        if (r.child.exitCode !== null) throw new Error(`${name} exited (${r.child.exitCode}):\n${this.linesOf(name)}`);
        const res = await fetch(`http://127.0.0.1:${r.port}/health/ready`).catch((err: Error) => err);
        if (res instanceof Error || res.status !== 200)
          throw new Error(
            `${name} not ready: ${res instanceof Error ? res.message : res.status}\n${this.linesOf(name)}`,
          );
      },
      timeoutMs,
      250,
    );
  }

  /** How the service exited (waits for it). */
  exited(name: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} was not started`);
    return r.exit;
  }

  linesOf(name: string): string {
    return this.output.filter((l) => l.startsWith(`${name}: `)).join('\n');
  }

  /** SIGTERM to every service still running, then waits for all. */
  async stopAll(): Promise<void> {
    for (const { child } of this.running.values())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all([...this.running.values()].map((r) => r.exit));
  }
}
