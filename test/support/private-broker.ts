import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = join(__dirname, '..', '..', 'tools', 'kafka', 'broker.mjs');

/**
 * A broker of a spec's own (tools/kafka/broker.mjs on its own ports and data dir) that it may stop and start: kafkajs
 * learns broker addresses from metadata, so a proxy in front of the shared broker would only cover the bootstrap.
 */
export class PrivateBroker {
  readonly brokers: string[];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'sb-private-broker-'));
  private readonly env: NodeJS.ProcessEnv;

  constructor(port: number) {
    this.brokers = [`127.0.0.1:${port}`];
    this.env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(port + 1),
      KAFKA_DATA_DIR: this.dataDir,
    };
  }

  async start(): Promise<void> {
    await run(process.execPath, [script, 'start'], { env: this.env });
  }

  async stop(): Promise<void> {
    await run(process.execPath, [script, 'stop'], { env: this.env });
  }

  /** Stops it (whatever state it is in) and deletes its data. */
  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
