import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../../bench/harness';
import { testEnv } from '../support/env';

const root = join(__dirname, '..', '..');

/**
 * The peers suite in smoke mode (`npm run bench -- peers --smoke`: tiny inputs, one run of each job) on the test
 * env's broker and database: every peer runs and prints figures, and Kafka Streams' window sums equal ours. It
 * asserts that the suite ran, never a speed.
 */
describe('bench peers suite, smoke mode', () => {
  const results = mkdtempSync(join(tmpdir(), 'bench-smoke-spec-'));
  afterAll(() => rmSync(results, { recursive: true, force: true }));

  it('runs every peer once and writes its figures', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', 'bench/run.ts', 'peers', '--smoke', '--results', results],
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
    if (code !== 0) throw new Error(`bench peers --smoke exited with ${code}:\n${out.slice(-4000)}`);

    const report = JSON.parse(readFileSync(join(results, 'peers.json'), 'utf8')) as BenchReport;
    const peers = report.rows.map((r) => `${r.job}: ${r.peer}`);
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
    for (const r of report.rows) expect(Number(r['records/s'])).toBeGreaterThan(0);
    // Equal work: Kafka Streams' final sums are ours, window for window.
    for (const r of report.rows.filter((row) => String(row.peer).startsWith('Kafka Streams')))
      expect(String(r.notes)).toMatch(/vs ours: equal/);
    expect(out).toContain('| peer | what | records/s');
  }, 240_000);
});
