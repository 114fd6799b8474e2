import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type MachineCpu, machineCpu, processCpuMicros, processRssMiB } from '../proc-stats';

/** The Kafka Streams peer's Maven project: kafka-streams and kafka-tools at the broker's version. */
export const PEER_DIR = join(__dirname, 'kafka-streams');
const LIB = join(PEER_DIR, 'lib');
const JAR = join(PEER_DIR, 'target', 'kafka-streams-peer-1.0.0.jar');

function kafkaVersion(): string {
  const pom = readFileSync(join(PEER_DIR, 'pom.xml'), 'utf8');
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
}

/** Newest modification time of the peer's sources and pom (ms). */
function sourcesChangedAt(dir = join(PEER_DIR, 'src')): number {
  let newest = statSync(join(PEER_DIR, 'pom.xml')).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? sourcesChangedAt(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles the peer and copies its classpath (`mvn -q package`) unless both are there and the jar is newer than
 * every source; returns the version.
 */
export function ensurePeerBuilt(log: (line: string) => void): string {
  const version = kafkaVersion();
  const fresh =
    existsSync(JAR) &&
    statSync(JAR).mtimeMs >= sourcesChangedAt() &&
    existsSync(LIB) &&
    readdirSync(LIB).includes(`kafka-streams-${version}.jar`) &&
    readdirSync(LIB).includes(`kafka-tools-${version}.jar`);
  if (!fresh) {
    log(`building the Kafka Streams peer (mvn -q package, Kafka ${version})…`);
    const res = spawnSync('mvn', ['-q', '-B', '-f', join(PEER_DIR, 'pom.xml'), 'package'], { stdio: 'inherit' });
    if (res.error) throw new Error(`Maven is needed to build the Kafka Streams peer: ${res.error.message}`);
    if (res.status !== 0) throw new Error(`mvn package of ${PEER_DIR} failed (exit ${res.status})`);
  }
  return version;
}

export interface JvmRun {
  /** stdout, whole. */
  out: string;
  /** JSON lines the program printed, with the monotonic time (ms) and this process's view of the JVM at each. */
  events: { at: number; cpuMicros: number; machine: MachineCpu; json: Record<string, unknown> }[];
  startedAt: number;
  exitedAt: number;
  /** The JVM's CPU (user + system) over its whole life, µs, and its peak RSS (VmHWM), MiB. */
  cpuMicros: number;
  peakRssMiB: number;
  machineAtStart: MachineCpu;
  machineAtExit: MachineCpu;
}

/**
 * Runs a Java main class on the peer's classpath; JSON lines on stdout are timestamped as they arrive, with the
 * JVM's CPU so far, so a figure can run from a program's own "first"/"done" markers instead of JVM start-up.
 */
export function runJava(
  mainClass: string,
  args: string[],
  opts: { heap?: string; timeoutMs?: number } = {},
): Promise<JvmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      [
        ...(opts.heap ?? '-Xms256m -Xmx1g').split(' '),
        '-XX:+UseG1GC',
        '-Dlog4j2.level=off',
        '-cp',
        `${JAR}:${join(LIB, '*')}`,
        mainClass,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pid = child.pid ?? 0;
    const startedAt = performance.now();
    const machineAtStart = machineCpu();
    const events: JvmRun['events'] = [];
    let out = '';
    let err = '';
    let partial = '';
    let cpu = 0;
    let peak = 0;
    const poll = setInterval(() => {
      cpu = Math.max(cpu, processCpuMicros(pid));
      peak = Math.max(peak, processRssMiB(pid).peak);
    }, 100);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      out += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const json = JSON.parse(line) as Record<string, unknown>;
          const now = processCpuMicros(pid);
          cpu = Math.max(cpu, now);
          peak = Math.max(peak, processRssMiB(pid).peak);
          events.push({ at: performance.now(), cpuMicros: now, machine: machineCpu(), json });
        } catch {
          // not one of ours
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (code !== 0)
        return reject(new Error(`${mainClass} exited with ${code ?? signal}: ${(err || out).trim().slice(-2000)}`));
      resolve({
        out,
        events,
        startedAt,
        exitedAt: performance.now(),
        cpuMicros: cpu,
        peakRssMiB: peak,
        machineAtStart,
        machineAtExit: machineCpu(),
      });
    });
  });
}
