import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../../bench/harness';
import { testEnv } from '../support/env';

const root = join(__dirname, '..', '..');

/** `npm run bench -- <suites> --smoke` on the test env's broker and database; its output and its JSON reports. */
async function smoke(suites: string[], results: string): Promise<{ out: string; report: (s: string) => BenchReport }> {
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'bench/run.ts', ...suites, '--smoke', '--results', results],
      {
        cwd: root,
        env: { ...process.env, KAFKA_BROKERS: testEnv.brokers.join(','), DATABASE_URL: testEnv.databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (c) => resolve({ code: c, out }));
  });
  if (code !== 0) throw new Error(`bench ${suites.join(' ')} --smoke exited with ${code}:\n${out.slice(-4000)}`);
  return { out, report: (s) => JSON.parse(readFileSync(join(results, `${s}.json`), 'utf8')) as BenchReport };
}

/**
 * Suites in smoke mode (tiny inputs, one run of each job): every peer and suite runs and prints figures, and
 * Kafka Streams' window sums equal ours; the gateway's browser rows ran in Chromium. They assert that the suites
 * ran, never a speed.
 */
describe('bench suites, smoke mode', () => {
  const results = mkdtempSync(join(tmpdir(), 'bench-smoke-spec-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));

  it('peers: runs every peer once and writes its figures', async () => {
    const { out, report } = await smoke(['peers'], results);
    const rows = report('peers').rows;
    const peers = rows.map((r) => `${r.job}: ${r.peer}`);
    for (const expected of [
      'processing: Switchboard StreamProcessor',
      'processing: Kafka Streams 4.1.2, 1 thread',
      'processing: Kafka Streams 4.1.2, 2 threads',
      'processing: NestJS Transport.KAFKA',
      'processing: NestJS + our StreamsTransport',
      'energy: Switchboard aggregator',
      'energy: Kafka Streams 4.1.2, 1 thread',
      'energy: Kafka Streams 4.1.2, 2 threads',
      'ceiling: Kafka ProducerPerformance',
      'ceiling: Kafka ConsumerPerformance',
      'ceiling: libs/streams produce',
      'ceiling: libs/streams consume',
      'client: kafkajs 2.2.4 produce',
      'client: @platformatic/kafka 1.35.0 consume',
    ])
      expect(peers.some((p) => p.startsWith(expected))).toBe(true);
    for (const r of rows) expect(Number(r['records/s'])).toBeGreaterThan(0);
    // Equal work: Kafka Streams' final sums are ours, window for window.
    for (const r of rows.filter((row) => String(row.peer).startsWith('Kafka Streams')))
      expect(String(r.notes)).toMatch(/vs ours: equal/);
    expect(out).toContain('| peer | what | records/s');
  }, 240_000);

  it('e2e and recovery: the live loop delivers to a dashboard client, and again after an aggregator is killed', async () => {
    const { report } = await smoke(['e2e', 'recovery'], results);
    const e2e = report('e2e').rows;
    expect(e2e.length).toBeGreaterThan(0);
    for (const r of e2e) {
      expect(Number(r['achieved events/s'])).toBeGreaterThan(0);
      expect(Number(r.samples)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(r['p50 ms']))).toBe(true);
      expect(Number.isFinite(Number(r['p99 ms']))).toBe(true);
    }
    const [recovery] = report('recovery').rows;
    // The survivor took the killed instance's meters over: a figure, not "never".
    expect(Number.isFinite(Number(recovery['dashboard fresh again s']))).toBe(true);
    expect(Number.isFinite(Number(recovery['p50 ms before kill']))).toBe(true);
  }, 300_000);

  it('gateway: the socket.io fan-out and both pages in Chromium ran and printed figures', async () => {
    const { out, report } = await smoke(['gateway'], results);
    const rows = report('gateway').rows;
    const fanOut = rows.filter((r) => typeof r.clients === 'number');
    expect(fanOut.length).toBeGreaterThan(0);
    for (const r of fanOut) expect(Number.isFinite(Number(r['p50 ms']))).toBe(true);
    const pages = rows.filter((r) => String(r.clients).startsWith('Chromium'));
    expect(pages.map((r) => String(r.clients).split(' (')[0])).toEqual(['Chromium wallboard', 'Chromium energy page']);
    for (const r of pages) {
      // npm test installs Chromium first: a skipped browser row is a failure here.
      expect(r.skipped).toBeUndefined();
      expect(Number(r.samples)).toBeGreaterThan(0);
      for (const figure of ['p50 ms', 'p99 ms', 'max ms', 'frames/s', 'main thread busy %', 'renderer cpu %'])
        expect(Number.isFinite(Number(r[figure]))).toBe(true);
      expect(Number(r['frames/s'])).toBeGreaterThan(0);
    }
    expect(out).toContain('probe updates measured to the DOM');
  }, 180_000);
});
