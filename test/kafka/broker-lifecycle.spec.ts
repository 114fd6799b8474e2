import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// tools/kafka/broker.mjs on ports and a data dir of its own, so it never touches the suite's broker on 9092.
const run = promisify(execFile);
const script = join(__dirname, '..', '..', 'tools', 'kafka', 'broker.mjs');

describe('tools/kafka/broker.mjs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-kafka-'));
  const env = { ...process.env, KAFKA_PORT: '19192', KAFKA_CONTROLLER_PORT: '19193', KAFKA_DATA_DIR: dataDir };
  const broker = (cmd: string) => run(process.execPath, [script, cmd], { env });

  afterAll(async () => {
    await broker('stop').catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, is idempotent, reports status, and stops', async () => {
    expect((await broker('start')).stdout).toMatch(/Kafka started on 127\.0\.0\.1:19192 in \d+ ms/);
    expect((await broker('start')).stdout).toMatch(/already running/);
    expect((await broker('status')).stdout).toMatch(/Kafka running \(pid \d+\)/);
    expect((await broker('stop')).stdout).toMatch(/Kafka stopped/);
    await expect(broker('status')).rejects.toMatchObject({ code: 3, stdout: expect.stringMatching(/not running/) });
    // Second start reuses the formatted data dir (same cluster id) and comes up again.
    expect((await broker('start')).stdout).toMatch(/Kafka started/);
    expect((await broker('stop')).stdout).toMatch(/Kafka stopped/);
  }, 120_000);

  it('says in one sentence when the port is taken by another process', async () => {
    const squatter: Server = createServer().listen(19192, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      await expect(broker('start')).rejects.toMatchObject({
        stderr: expect.stringMatching(/Port 19192 on 127\.0\.0\.1 is already taken by another process/),
      });
    } finally {
      squatter.close();
    }
  });
});
