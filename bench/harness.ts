import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** One measured configuration of a suite: a name plus named figures. */
export type BenchRow = Record<string, string | number>;

export interface BenchSuite {
  name: string;
  description: string;
  run(log: (line: string) => void): Promise<BenchRow[]>;
}

export interface BenchReport {
  suite: string;
  description: string;
  startedAt: string;
  durationMs: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memGiB: number;
    node: string;
    loadavgBefore: number[];
    loadavgAfter: number[];
  };
  rows: BenchRow[];
}

/** Runs a suite, prints its table and the machine's load, writes bench/results/<suite>.json. */
export async function runSuite(suite: BenchSuite, resultsDir: string): Promise<BenchReport> {
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const t0 = Date.now();
  console.log(`\n# ${suite.name} — ${suite.description}`);
  const rows = await suite.run((line) => console.log(`  ${line}`));
  const report: BenchReport = {
    suite: suite.name,
    description: suite.description,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadavgBefore: loadBefore,
      loadavgAfter: loadavg().map((l) => Number(l.toFixed(2))),
    },
    rows,
  };
  console.table(rows);
  console.log(
    `  machine: ${report.machine.cpus} × ${report.machine.cpuModel}, load average before ${loadBefore.join(' ')}, after ${report.machine.loadavgAfter.join(' ')}`,
  );
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${suite.name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`  written: ${file}`);
  return report;
}

/** CPU time of this process (user + system) in microseconds, for µs-per-event figures. */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

/** A comma-separated list of positive numbers from the environment, else `fallback`. */
export function listFromEnv(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (!text) return fallback;
  const list = text.split(',').map(Number);
  if (list.some((n) => !(n > 0)))
    throw new Error(`${name} must be positive numbers separated by commas, not "${text}"`);
  return list;
}

/** A positive number from the environment, else `fallback`. */
export function numberFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (!text) return fallback;
  const n = Number(text);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, not "${text}"`);
  return n;
}
